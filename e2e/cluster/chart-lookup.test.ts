// Tier 5: what the chart asks of the API server at install time, against the real one: the generated Secret
// keeps the value the cluster already holds (helm's `lookup`, as on an upgrade), and `helm install` prints
// NOTES.txt with the port-forward line.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { chartDir } from '../chart/chart';
import { type ControlPlane, findControlPlaneTools, startControlPlane } from './control-plane';
import { installPrometheusOperatorCrds } from './prometheus-operator-crds';

const tools = findControlPlaneTools();
const namespace = 'monitoring';

describe.skipIf(!tools)('chart: against the API server', () => {
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane({ nodes: 0 });
    await cp.kubectl(['create', 'namespace', namespace]);
  }, 120_000);
  afterAll(() => cp?.stop(), 30_000);

  /** The decoded data of the Secret `template` renders, as helm renders it against the cluster. */
  async function renderedSecret(
    extra: string[] = [],
    template = 'templates/secret.yaml',
  ): Promise<Record<string, string>> {
    const out = await cp.helm([
      'template',
      'sss',
      chartDir,
      '-n',
      namespace,
      '--dry-run=server',
      '--show-only',
      template,
      ...extra,
    ]);
    const [doc] = parseAllDocuments(out);
    const data = doc?.toJS().data as Record<string, string>;
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
  }

  /** Runs `check` while the cluster holds the Secret sss-auth with `auth-secret` = `value`. */
  async function withAuthSecret(value: string, check: () => Promise<void>): Promise<void> {
    await cp.kubectl([
      'create',
      'secret',
      'generic',
      'sss-auth',
      '-n',
      namespace,
      `--from-literal=auth-secret=${value}`,
    ]);
    try {
      await check();
    } finally {
      await cp.kubectl(['delete', 'secret', 'sss-auth', '-n', namespace]);
    }
  }

  it('keeps the shared secret the cluster already has', async () => {
    await withAuthSecret('the-value-agents-already-use', async () => {
      expect(await renderedSecret()).toEqual({ 'auth-secret': 'the-value-agents-already-use' });
      expect(await renderedSecret()).toEqual({ 'auth-secret': 'the-value-agents-already-use' });
    });
  });

  it('generates a new value when the cluster has none, or none under the configured key', async () => {
    const first = await renderedSecret();
    expect(first['auth-secret']).toMatch(/^[A-Za-z0-9]{32}$/);
    expect((await renderedSecret())['auth-secret']).not.toBe(first['auth-secret']);
    await withAuthSecret('old', async () => {
      const renamed = await renderedSecret(['--set', 'auth.secretKey=shared']);
      expect(Object.keys(renamed)).toEqual(['shared']);
      expect(renamed.shared).toMatch(/^[A-Za-z0-9]{32}$/);
    });
  });

  it('keeps the /metrics token the cluster already has, and generates one when it has none', async () => {
    const token = async () =>
      (await renderedSecret(['--set', 'metrics.token.enabled=true'], 'templates/metrics-secret.yaml')).token;
    const generated = await token();
    expect(generated).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(await token()).not.toBe(generated);
    await cp.kubectl([
      'create',
      'secret',
      'generic',
      'sss-metrics',
      '-n',
      namespace,
      '--from-literal=token=kept',
    ]);
    try {
      expect(await token()).toBe('kept');
    } finally {
      await cp.kubectl(['delete', 'secret', 'sss-metrics', '-n', namespace]);
    }
  });

  it('prints NOTES.txt with the port-forward line on install', async () => {
    const out = await cp.helm(['install', 'sss', chartDir, '-n', namespace, '--dry-run=server']);
    const notes = out.slice(out.indexOf('NOTES:'));
    expect(notes).toContain(`kubectl port-forward --namespace ${namespace} svc/sss-dashboard 8900`);
    expect(notes).toContain('then browse http://localhost:8900');
    expect(notes).toContain(`helm test sss --namespace ${namespace}`);
    expect(notes).toContain('(prometheus.io/scrape annotations set)');
    expect(notes).toContain(
      `kubectl get secret --namespace ${namespace} sss-auth -o jsonpath="{.data['auth-secret']}" | base64 -d`,
    );
  });

  it('names the Ingress URL, the ServiceMonitor, the existing Secret, the PrometheusRule and the Grafana dashboard in NOTES.txt when they are used', async () => {
    await installPrometheusOperatorCrds((args, input) =>
      cp.kubectl(args, input === undefined ? {} : { input }),
    );
    const out = await cp.helm([
      'install',
      'sss',
      chartDir,
      '-n',
      namespace,
      '--dry-run=server',
      ...['ingress-servicemonitor', 'existing-secret', 'unprivileged-agent', 'prometheus-grafana'].flatMap(
        (name) => ['-f', join(chartDir, `ci/${name}-values.yaml`)],
      ),
    ]);
    const notes = out.slice(out.indexOf('NOTES:'));
    expect(notes).toContain('or https://status.example.org/');
    expect(notes).toContain('(ServiceMonitor sss-dashboard created)');
    expect(notes).toContain(
      '/metrics needs "Authorization: Bearer <token>", the key token of the Secret sss-metrics.',
    );
    expect(notes).toContain('Agents authenticate with key "shared" of your Secret sss-shared.');
    expect(notes).toContain('The agent runs unprivileged (uid 65534)');
    expect(notes).toContain(
      `Alerts: PrometheusRule sss in namespace ${namespace} (SSSServerDown, SSSNodeAgentMissing, ...).`,
    );
    expect(notes).toContain(
      `Grafana: ConfigMap sss-grafana-dashboard in namespace ${namespace}, labelled grafana_dashboard=1 for the dashboard sidecar.`,
    );
  });
});
