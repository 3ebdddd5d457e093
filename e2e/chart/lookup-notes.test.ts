// Tier 4 with a stand-in API server (no cluster runs here; see fake-apiserver.ts): the generated Secret keeps
// the value the cluster already holds (helm's `lookup`, as on an upgrade), and `helm install` prints NOTES.txt
// with the port-forward line.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { helm, runHelmAsync } from './chart';
import { type FakeApiServer, startFakeApiServer } from './fake-apiserver';

describe.skipIf(!helm)('chart: against an API server', () => {
  let api: FakeApiServer;
  beforeAll(async () => {
    api = await startFakeApiServer();
  });
  afterAll(() => api?.close());

  async function renderedSecret(extra: string[] = []): Promise<Record<string, string>> {
    const args = ['template', 'sss', '.', '-n', 'monitoring', '--dry-run=server', ...extra];
    const result = await runHelmAsync([...args, '--show-only', 'templates/secret.yaml'], {
      KUBECONFIG: api.kubeconfig,
    });
    expect(result.stderr).toBe('');
    const [doc] = parseAllDocuments(result.stdout);
    const data = doc?.toJS().data as Record<string, string>;
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
  }

  it('keeps the shared secret the cluster already has and asks the API server for it', async () => {
    api.secrets.set('monitoring/sss-auth', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sss-auth', namespace: 'monitoring' },
      type: 'Opaque',
      data: { 'auth-secret': Buffer.from('the-value-agents-already-use').toString('base64') },
    });
    api.requests.length = 0;
    expect(await renderedSecret()).toEqual({ 'auth-secret': 'the-value-agents-already-use' });
    expect(await renderedSecret()).toEqual({ 'auth-secret': 'the-value-agents-already-use' });
    expect(api.requests).toContain('GET /api/v1/namespaces/monitoring/secrets/sss-auth');
  });

  it('generates a new value when the cluster has none, or none under the configured key', async () => {
    api.secrets.clear();
    const first = await renderedSecret();
    expect(first['auth-secret']).toMatch(/^[A-Za-z0-9]{32}$/);
    api.secrets.set('monitoring/sss-auth', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sss-auth', namespace: 'monitoring' },
      data: { 'auth-secret': Buffer.from('old').toString('base64') },
    });
    const renamed = await renderedSecret(['--set', 'auth.secretKey=shared']);
    expect(Object.keys(renamed)).toEqual(['shared']);
    expect(renamed.shared).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('prints NOTES.txt with the port-forward line on install', async () => {
    api.secrets.clear();
    const result = await runHelmAsync(
      ['install', 'sss', '.', '-n', 'monitoring', '--dry-run=server', '--disable-openapi-validation'],
      { KUBECONFIG: api.kubeconfig },
    );
    expect(result.stderr).toBe('');
    const notes = result.stdout.slice(result.stdout.indexOf('NOTES:'));
    expect(notes).toContain('kubectl port-forward --namespace monitoring svc/sss-dashboard 8900');
    expect(notes).toContain('then browse http://localhost:8900');
    expect(notes).toContain('helm test sss --namespace monitoring');
    expect(notes).toContain('(prometheus.io/scrape annotations set)');
    expect(notes).toContain(
      `kubectl get secret --namespace monitoring sss-auth -o jsonpath="{.data['auth-secret']}" | base64 -d`,
    );
  });

  it('names the Ingress URL, the ServiceMonitor and the existing Secret in NOTES.txt when they are used', async () => {
    const result = await runHelmAsync(
      [
        'install',
        'sss',
        '.',
        '-n',
        'monitoring',
        '--dry-run=server',
        '--disable-openapi-validation',
        '-f',
        'ci/ingress-servicemonitor-values.yaml',
        '-f',
        'ci/existing-secret-values.yaml',
        '-f',
        'ci/unprivileged-agent-values.yaml',
      ],
      { KUBECONFIG: api.kubeconfig },
    );
    expect(result.stderr).toBe('');
    const notes = result.stdout.slice(result.stdout.indexOf('NOTES:'));
    expect(notes).toContain('or https://status.example.org/');
    expect(notes).toContain('(ServiceMonitor sss-dashboard created)');
    expect(notes).toContain('Agents authenticate with key "shared" of your Secret sss-shared.');
    expect(notes).toContain('The agent runs unprivileged (uid 65534)');
  });
});
