// Tier 5 (DESIGN section 9) on this machine: the chart really installed into a real control plane (etcd, API
// server, controllers, scheduler; kwok plays the kubelets of fake Nodes), then our real programs run as processes
// in place of the containers kwok does not run, each with the environment its Pod resolves to (e2e/cluster/pod-env.ts
// names the stand-ins: hostPaths, Service DNS, listen ports). The dashboard uses a token of the chart's own
// ServiceAccount, so the RBAC under test is the chart's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium } from '../browser/browser';
import { DashboardPage } from '../browser/pages';
import { chartDir, ciValues, type K8sObject, podSpec, render } from '../chart/chart';
import { agentMain, dashboardMain } from '../support/paths';
import { freePort } from '../support/ports';
import { type Program, startProgram, stopAll } from '../support/processes';
import { findTool } from '../support/tools';
import {
  type ClusterUnderTest,
  clusterAssertions,
  createBareNode,
  eventually,
  patchNodeStatus,
  uniqueNodeName,
} from './assertions';
import { type ControlPlane, findControlPlaneTools, startControlPlane } from './control-plane';
import { helmTest as runHelmTest } from './helm-test';
import { type Kubectl, podsOf, resolveContainer } from './pod-env';
import { installPrometheusOperatorCrds } from './prometheus-operator-crds';

const tools = findControlPlaneTools();
const promtool = findTool('promtool');
const namespace = 'sss';
const release = 'sss';
const nodes = [
  { name: 'sss-node-1', zone: 'zone-a', role: 'control-plane' },
  { name: 'sss-node-2', zone: 'zone-a', role: 'worker' },
  { name: 'sss-node-3', zone: 'zone-b', role: 'worker' },
];

describe.skipIf(!tools)('the chart in a real control plane', () => {
  let cp: ControlPlane;
  let kubectl: Kubectl;
  let dashboard: Program & { port: number; url: string };
  const agents = new Map<string, Program>();
  let cut: ClusterUnderTest;
  const dir = mkdtempSync(join(tmpdir(), 'sss-cluster-e2e-'));

  /** The dashboard's Pod, run as a process with a token of the chart's ServiceAccount. */
  async function startDashboardFromPod(port: number): Promise<Program & { port: number; url: string }> {
    const [pod] = await podsOf(kubectl, namespace, 'app.kubernetes.io/component=dashboard');
    if (!pod) throw new Error('no dashboard Pod');
    expect(pod.status.phase).toBe('Running');
    const token = (
      await kubectl(['create', 'token', 'sss-dashboard', '-n', namespace, '--duration=1h'])
    ).trim();
    const { env } = await resolveContainer(kubectl, pod, 'dashboard', dir, {
      services: new Map(),
      // One machine, one network: the port is a free one, and the API server is reached through a kubeconfig
      // holding the ServiceAccount token and the cluster CA (what the pod's mounted token and ca.crt give it).
      overrides: { SSS_PORT: String(port), SSS_HOST: '127.0.0.1', KUBECONFIG: cp.kubeconfigFor(token) },
    });
    expect(env).toMatchObject({ SSS_KUBERNETES: 'on', SSS_ID_POLICY: 'nodes' });
    const program = startProgram('dashboard', dashboardMain, env);
    await program.waitForLog((l) => l.msg === 'listening', 15_000);
    // SSS_DATA_DIR is in the Pod's data volume (an emptyDir by default), and the history store opens there.
    const store = await program.waitForLog((l) => l.msg === 'history store opened', 5_000);
    expect(store.dataDir).toBe(join(dir, pod.metadata.name, 'data'));
    return Object.assign(program, { port, url: `http://127.0.0.1:${port}` });
  }

  /** Every agent Pod of the DaemonSet, run as a process reading this machine's /proc and /sys. */
  async function startAgentsFromPods(): Promise<void> {
    const pods = await podsOf(kubectl, namespace, 'app.kubernetes.io/component=agent');
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(nodes.map((n) => n.name));
    for (const pod of pods) {
      const { env } = await resolveContainer(kubectl, pod, 'agent', dir, {
        services: new Map([['sss-dashboard', dashboard.port]]),
        // Every agent has its own network namespace in a cluster; here they share one, so no fixed health port.
        overrides: { SSS_HEALTH_PORT: '0' },
      });
      expect(env.NODE_NAME).toBe(pod.spec.nodeName);
      expect(env.HOST_PROC).toBe('/proc');
      agents.set(pod.spec.nodeName ?? '', startProgram('agent', agentMain, env));
    }
  }

  beforeAll(async () => {
    cp = await startControlPlane({ nodes: 0 });
    kubectl = (args, input) => cp.kubectl(args, input === undefined ? {} : { input });
    for (const node of nodes) await cp.createNode(node.name, { zone: node.zone, role: node.role });
    await cp.waitForNodesReady();
    await kubectl(['create', 'namespace', namespace]);
    await cp.helm(['install', release, chartDir, '-n', namespace, '--wait', '--timeout', '90s']);
    dashboard = await startDashboardFromPod(await freePort());
    await startAgentsFromPods();
    const secret = Buffer.from(
      (
        await kubectl(['get', 'secret', 'sss-auth', '-n', namespace, '-o', 'jsonpath={.data.auth-secret}'])
      ).trim(),
      'base64',
    ).toString();
    cut = { kubectl, dashboardUrl: dashboard.url, secret, nodesWithAgents: nodes.map((n) => n.name) };
  }, 240_000);

  afterAll(async () => {
    await stopAll();
    await cp?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('installed with default values: one agent Pod per Node and an available dashboard', async () => {
    const ds = JSON.parse(await kubectl(['get', 'daemonset', 'sss-agent', '-n', namespace, '-o', 'json']));
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 3, numberReady: 3 });
    const deploy = JSON.parse(
      await kubectl(['get', 'deployment', 'sss-dashboard', '-n', namespace, '-o', 'json']),
    );
    expect(deploy.status.availableReplicas).toBe(1);
  });

  clusterAssertions(() => cut);

  it.skipIf(!chromiumPath)(
    'shows a missing agent and a NotReady Node as such in Chromium, in both themes (screenshots saved)',
    async () => {
      const missing = uniqueNodeName('sss-ui-missing');
      const notReady = uniqueNodeName('sss-ui-notready');
      await createBareNode(kubectl, missing);
      await createBareNode(kubectl, notReady);
      await patchNodeStatus(kubectl, notReady, {
        conditions: [
          { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down' },
          { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure', message: '' },
        ],
      });
      await kubectl(['cordon', notReady]);
      const browser = await launchChromium();
      try {
        for (const colorScheme of ['light', 'dark'] as const) {
          const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme });
          const ui = await DashboardPage.open(context, `${dashboard.url}/`);
          await ui.waitForCount('missing', 2, 10_000);
          expect(await ui.count('online')).toBe(nodes.length);
          expect(await ui.count('notReady')).toBe(1);
          const missingCard = await ui.waitForServer(missing);
          expect(await missingCard.status()).toBe('missing');
          expect(await missingCard.missingAgent()).toMatchObject({ since: 'never' });
          expect(await missingCard.badges()).toEqual(['Ready']);
          const notReadyCard = await ui.waitForServer(notReady);
          await notReadyCard.waitForBadges(['NotReady', 'DiskPressure', 'SchedulingDisabled']);
          expect(await (await ui.waitForServer('sss-node-2')).badges()).toEqual(['Ready']);
          await ui.groupCardsBy('zone');
          expect((await ui.cardGroups()).map((g) => g.name)).toEqual(
            expect.arrayContaining(['zone-a', 'zone-b', 'zone-bare']),
          );
          await ui.renderAllCards();
          expect(await ui.overflows()).toEqual([]);
          await ui.screenshot(`cluster-cards-${colorScheme}`);
          await ui.filterBy('missing');
          const table = await ui.showTable();
          expect(await table.rowStatus(missing)).toBe('missing');
          await ui.filterBy('notReady');
          expect(await table.rowBadges(notReady)).toEqual(['NotReady', 'DiskPressure', 'SchedulingDisabled']);
          await ui.filterBy('missing');
          await ui.screenshot(`cluster-table-missing-${colorScheme}`);
          await ui.showCards();
          await ui.filterBy('all');
          const details = await ui.openDetails(notReady);
          expect(await details.kubernetes()).toMatchObject({
            nodeName: notReady,
            readyReason: 'KubeletNotReady: container runtime is down',
            zone: 'zone-bare',
          });
          expect(await ui.overflows()).toEqual([]);
          await ui.screenshot(`cluster-details-notready-${colorScheme}`);
          expect(ui.consoleErrors).toEqual([]);
          await context.close();
        }
      } finally {
        await browser.close();
        await kubectl(['delete', 'node', missing, notReady]);
      }
    },
    60_000,
  );

  it.skipIf(!promtool)('writes the Kubernetes families so that promtool finds nothing to lint', async () => {
    const text = await (await fetch(`${dashboard.url}/metrics`)).text();
    expect(text).toContain('sss_kubernetes_node_ready{node="sss-node-1"} 1');
    const check = spawnSync(promtool ?? 'promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const problems = `${check.stdout}${check.stderr}`.split('\n').filter((l) => l.trim() !== '');
    // prom-client's own nodejs_* gauges end in _total, which promtool's linter dislikes; nothing else may appear.
    expect(problems.filter((l) => !l.startsWith('nodejs_'))).toEqual([]);
  });

  it('accepts every ci/*-values.yaml on the API server (helm install --dry-run=server)', async () => {
    await installPrometheusOperatorCrds(kubectl);
    for (const [i, values] of ciValues.entries()) {
      const out = await cp.helm([
        'install',
        `dry-${i}`,
        chartDir,
        '-n',
        'dry-run',
        '--create-namespace',
        '--dry-run=server',
        '-f',
        join(chartDir, values),
      ]);
      expect(out, values).toContain('STATUS: pending-install');
    }
  });

  it('admits the dashboard Pod, history volume included, where the restricted Pod Security Standard is enforced', async () => {
    const restricted = 'restricted';
    await kubectl(['create', 'namespace', restricted]);
    await kubectl(['label', 'namespace', restricted, 'pod-security.kubernetes.io/enforce=restricted']);
    await kubectl(['create', 'serviceaccount', 'sss-dashboard', '-n', restricted]);
    await kubectl(['create', 'serviceaccount', 'sss-agent', '-n', restricted]);
    /** The workload's pod template as a Pod, created with --dry-run=server: PodSecurity admission judges it. */
    const admit = (workload: K8sObject) =>
      kubectl(
        ['create', '--dry-run=server', '-o', 'name', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: workload.metadata.name, namespace: restricted },
          spec: podSpec(workload),
        }),
      );
    for (const values of ['ci/default-values.yaml', 'ci/persistence-values.yaml']) {
      const dashboardPod = render({ values: [values] }).one('Deployment', 'sss-dashboard');
      expect((await admit(dashboardPod)).trim(), values).toBe('pod/sss-dashboard');
    }
    // The check bites: the privileged agent is refused there.
    const agent = render().one('DaemonSet', 'sss-agent');
    await expect(admit(agent)).rejects.toThrow(/violates PodSecurity "restricted:latest"/);
  });

  it("grants the dashboard's ServiceAccount get/list/watch on Nodes and nothing else; the agent's nothing", async () => {
    const rules = async (serviceAccount: string) =>
      parseCanI(
        await kubectl([
          'auth',
          'can-i',
          '--list',
          `--as=system:serviceaccount:${namespace}:${serviceAccount}`,
        ]),
      );
    const baseline = parseCanI(
      await kubectl(['auth', 'can-i', '--list', '--as=system:serviceaccount:other:nobody']),
    );
    const extra = (found: Map<string, string>) =>
      Object.fromEntries([...found].filter(([resource, verbs]) => baseline.get(resource) !== verbs));
    expect(extra(await rules('sss-dashboard'))).toEqual({ nodes: '[get list watch]' });
    expect(extra(await rules('sss-agent'))).toEqual({});
    for (const [verb, resource, allowed] of [
      ['watch', 'nodes', 'yes'],
      ['get', 'secrets'],
      ['list', 'pods'],
      ['patch', 'nodes'],
      ['delete', 'nodes'],
    ]) {
      // --quiet answers by exit code only: 0 yes, 1 no.
      const answer = await kubectl([
        'auth',
        'can-i',
        '--quiet',
        verb ?? '',
        resource ?? '',
        `--as=system:serviceaccount:${namespace}:sss-dashboard`,
      ]).then(
        () => 'yes',
        () => 'no',
      );
      expect(answer, `${verb} ${resource}`).toBe(allowed ?? 'no');
    }
  });

  it('passes helm test because the check really ran against the dashboard', async () => {
    const result = await helmTest();
    expect(result.checkOutput).toMatch(/^ok: GET \/readyz 200; GET \/api\/servers lists /);
    expect(result.checkCode).toBe(0);
    expect(result.helm.code).toBe(0);
    expect(result.helm.output).toContain('Phase:          Succeeded');
  });

  it('fails helm test when the dashboard is broken', async () => {
    await upgrade('tests.timeoutSeconds=3');
    await dashboard.stop();
    const result = await helmTest();
    expect(result.checkOutput).toMatch(
      /failed after 3 s against http:\/\/127\.0\.0\.1:\d+: TypeError: fetch failed/,
    );
    expect(result.checkCode).toBe(1);
    expect(result.helm.code).not.toBe(0);
    expect(result.helm.output).toContain('pod sss-test failed');
    // helm keeps a failed test Pod for its logs; the next passing `helm test` replaces it and deletes it.
    dashboard = await startDashboardFromPod(dashboard.port);
    await eventually(async () => {
      const listed = (await (await fetch(`${dashboard.url}/api/servers`)).json()) as { online: boolean }[];
      expect(listed.filter((s) => s.online)).toHaveLength(nodes.length);
    }, 30_000);
    expect((await helmTest()).helm.code).toBe(0);
  }, 90_000);

  it('keeps the generated Secret across helm upgrade, and helm uninstall leaves nothing behind', async () => {
    const secretOf = async () =>
      (
        await kubectl(['get', 'secret', 'sss-auth', '-n', namespace, '-o', 'jsonpath={.data.auth-secret}'])
      ).trim();
    const before = await secretOf();
    expect(before.length).toBeGreaterThan(0);
    await upgrade('logLevel=debug');
    expect(await secretOf()).toBe(before);
    await cp.helm(['uninstall', release, '-n', namespace, '--wait', '--timeout', '60s']);
    const selector = `app.kubernetes.io/instance=${release}`;
    await eventually(async () => {
      const left = await kubectl([
        'get',
        'all,secrets,configmaps,serviceaccounts,roles,rolebindings,networkpolicies,ingresses',
        '-n',
        namespace,
        '-l',
        selector,
        '-o',
        'name',
      ]);
      expect(left.trim()).toBe('');
    }, 90_000);
    const clusterScoped = await kubectl([
      'get',
      'clusterroles,clusterrolebindings',
      '-l',
      selector,
      '-o',
      'name',
    ]);
    expect(clusterScoped.trim()).toBe('');
    expect((await kubectl(['get', 'secrets', '-n', namespace, '-o', 'name'])).trim()).toBe('');
  }, 150_000);

  /** `helm upgrade` of the release with the values it has plus one --set. */
  async function upgrade(set: string): Promise<void> {
    await cp.helm(['upgrade', release, chartDir, '-n', namespace, '--reuse-values', '--set', set]);
  }

  /** `helm test`, the check run against the dashboard process (e2e/cluster/helm-test.ts). */
  function helmTest() {
    return runHelmTest({
      cp,
      kubectl,
      release,
      namespace,
      dir,
      standIns: { services: new Map([['sss-dashboard', dashboard.port]]) },
    });
  }
});

/** `kubectl auth can-i --list` as resource -> verbs. */
function parseCanI(text: string): Map<string, string> {
  const rules = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const match = /^(\S+)\s+(?:\[[^\]]*\]\s+)*?(\[[^\]]*\])\s*$/.exec(line.trim());
    if (match?.[1] && match[2]) rules.set(match[1], match[2]);
  }
  return rules;
}
