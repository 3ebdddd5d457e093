// What the dashboard must do in a cluster, asserted through its REST API, /ws-frontend and /metrics. One file for
// both places a cluster runs: the local control plane (e2e/cluster/cluster.test.ts, kwok Nodes and our programs
// as processes) and kind where Docker runs (e2e/kind/kind.e2e.ts, real kubelets and the images). Everything here
// goes through kubectl and the dashboard's public interfaces, so it holds in both.
import { randomBytes } from 'node:crypto';
import type { FrontendServerInfo } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import { expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { closed, connectReporter, FrontendClient, opened, sendReport } from '../support/clients';
import { type Sample, sampleValue, scrape } from '../support/metrics';
import { SeedClient } from '../support/seed-client';
import type { Kubectl } from './pod-env';

/** What the assertions need of a cluster with the chart installed and its dashboard reachable from here. */
export interface ClusterUnderTest {
  kubectl: Kubectl;
  /** http://host:port of the dashboard (a local process, or a port-forward to the Service). */
  dashboardUrl: string;
  /** The shared secret, read from the Secret the chart made. */
  secret: string;
  /** Nodes that run an agent from the start. */
  nodesWithAgents: readonly string[];
}

/** How soon a change of a Node must reach browsers and /metrics (the bound). */
export const NODE_CHANGE_WITHIN_MS = 5_000;

export function uniqueNodeName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/**
 * Creates a Node that no kubelet and no agent runs on, Ready through the status subresource as a kubelet would
 * make it. Neither kwok nor a kubelet manages it, so a later status patch sticks (the node lifecycle controller
 * only marks it Unknown after its 40 s grace period, longer than any assertion here waits).
 */
export async function createBareNode(kubectl: Kubectl, name: string): Promise<void> {
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': name,
        'topology.kubernetes.io/zone': 'zone-bare',
        'node-role.kubernetes.io/bare': '',
      },
    },
  };
  await kubectl(['create', '-f', '-'], JSON.stringify(node));
  await patchNodeStatus(kubectl, name, {
    capacity: { cpu: '2', memory: '4Gi', pods: '110' },
    allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
    addresses: [{ type: 'InternalIP', address: '127.0.0.9' }],
    nodeInfo: {
      kubeletVersion: 'v1.34.4',
      containerRuntimeVersion: 'containerd://2.1.4',
      osImage: 'Debian GNU/Linux 13 (trixie)',
      kernelVersion: '6.12.0',
      architecture: 'amd64',
      operatingSystem: 'linux',
      bootID: '',
      machineID: '',
      systemUUID: '',
      kubeProxyVersion: '',
    },
    conditions: [condition('Ready', 'True', 'KubeletReady')],
  });
}

function condition(type: string, status: string, reason: string) {
  const now = new Date().toISOString();
  return {
    type,
    status,
    reason,
    message: `${reason} (set by the test)`,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  };
}

export async function patchNodeStatus(kubectl: Kubectl, name: string, status: object): Promise<void> {
  await kubectl([
    'patch',
    'node',
    name,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status }),
  ]);
}

async function servers(dashboardUrl: string): Promise<FrontendServerInfo[]> {
  const res = await fetch(`${dashboardUrl}/api/servers`, { signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(200);
  return (await res.json()) as FrontendServerInfo[];
}

async function metricsOf(dashboardUrl: string): Promise<Sample[]> {
  return scrape(dashboardUrl);
}

/** Polls until `check` stops throwing, at most `timeoutMs`; rethrows its last error. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}

/**
 * Registers the shared assertions (vitest `it`s, run in order) against the cluster `get()` returns once the
 * caller's beforeAll has set it up. A browser stays connected throughout; at the end every message it got is fed
 * through the seed's own client code.
 */
export function clusterAssertions(get: () => ClusterUnderTest): void {
  let frontend: FrontendClient;
  const raw: string[] = [];
  const bare = uniqueNodeName('sss-e2e-bare');
  const posing = uniqueNodeName('sss-e2e-posing');

  it('lists every Node as an online server with its Kubernetes facts', async () => {
    const { dashboardUrl, kubectl, nodesWithAgents } = get();
    frontend = new FrontendClient(dashboardUrl.replace(/^http/, 'ws'));
    frontend.ws.on('message', (data) => raw.push(data.toString()));
    await frontend.open();
    const nodes = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as {
      items: { metadata: { name: string } }[];
    };
    const names = nodes.items.map((n) => n.metadata.name).sort();
    expect(names).toEqual(expect.arrayContaining([...nodesWithAgents]));
    const list = await eventually(async () => {
      const found = await servers(dashboardUrl);
      expect(
        found
          .filter((s) => s.online)
          .map((s) => s.serverId)
          .sort(),
      ).toEqual([...nodesWithAgents].sort());
      return found;
    }, 60_000);
    for (const name of nodesWithAgents) {
      const server = list.find((s) => s.serverId === name);
      expect(server?.kubernetes).toMatchObject({ nodeName: name, ready: 'true', unschedulable: false });
      expect(server?.kubernetes?.kubeletVersion).toMatch(/^v1\./);
      expect(server?.kubernetes?.capacity.cpu).toBeGreaterThan(0);
      expect(server?.agentMissing).toBeUndefined();
      // The agent's own figures, not the Node's stand-in.
      expect(server?.cpu.modelName).not.toBe('');
    }
    const metrics = await metricsOf(dashboardUrl);
    expect(sampleValue(metrics, 'sss_kubernetes_api_state', { state: 'synced' })).toBe(1);
    expect(sampleValue(metrics, 'sss_kubernetes_nodes')).toBe(names.length);
    for (const name of nodesWithAgents) {
      expect(sampleValue(metrics, 'sss_kubernetes_node_ready', { node: name })).toBe(1);
      expect(sampleValue(metrics, 'sss_kubernetes_node_agent_reporting', { node: name })).toBe(1);
    }
  });

  it('shows a Node with no agent as missing within 5 s', async () => {
    const { dashboardUrl, kubectl } = get();
    const from = frontend.messages.length;
    const created = Date.now();
    await createBareNode(kubectl, bare);
    let { info } = await frontend.waitFor(
      (m) => m.serverId === bare && m.agentMissing === true,
      NODE_CHANGE_WITHIN_MS,
      from,
    );
    expect(Date.now() - created).toBeLessThan(NODE_CHANGE_WITHIN_MS + 1_000);
    expect(info).toMatchObject({ online: false, lastSeen: 0 });
    // The status (capacity, addresses, versions) is written after the Node is created, as a kubelet does.
    ({ info } = await frontend.waitFor(
      (m) => m.serverId === bare && m.ip === '127.0.0.9',
      NODE_CHANGE_WITHIN_MS,
      from,
    ));
    expect(info).toMatchObject({ online: false, lastSeen: 0, agentMissing: true });
    expect(info.kubernetes).toMatchObject({ nodeName: bare, zone: 'zone-bare', roles: ['bare'] });
    expect(info.cpu.cores).toBe(2);
    expect(info.memory.total).toBe(4 * 2 ** 30);
    const metrics = await metricsOf(dashboardUrl);
    expect(sampleValue(metrics, 'sss_kubernetes_node_agent_reporting', { node: bare })).toBe(0);
    expect(sampleValue(metrics, 'sss_kubernetes_nodes_without_agent')).toBeGreaterThanOrEqual(1);
  });

  it('shows a cordon within 5 s, and the uncordon', async () => {
    const { dashboardUrl, kubectl, nodesWithAgents } = get();
    const node = nodesWithAgents[0] ?? '';
    let from = frontend.messages.length;
    await kubectl(['cordon', node]);
    try {
      await frontend.waitFor(
        (m) => m.serverId === node && m.kubernetes?.unschedulable === true,
        NODE_CHANGE_WITHIN_MS,
        from,
      );
      const metrics = await metricsOf(dashboardUrl);
      expect(sampleValue(metrics, 'sss_kubernetes_node_unschedulable', { node })).toBe(1);
    } finally {
      from = frontend.messages.length;
      await kubectl(['uncordon', node]);
    }
    const { info } = await frontend.waitFor(
      (m) => m.serverId === node && m.kubernetes?.unschedulable === false,
      NODE_CHANGE_WITHIN_MS,
      from,
    );
    expect(info.online).toBe(true);
  });

  it('shows Ready=False and a pressure condition within 5 s', async () => {
    const { dashboardUrl, kubectl } = get();
    let from = frontend.messages.length;
    await patchNodeStatus(kubectl, bare, {
      conditions: [condition('Ready', 'False', 'KubeletNotReady')],
    });
    const notReady = await frontend.waitFor(
      (m) => m.serverId === bare && m.kubernetes?.ready === 'false',
      NODE_CHANGE_WITHIN_MS,
      from,
    );
    expect(notReady.info.kubernetes?.readyReason).toBe('KubeletNotReady: KubeletNotReady (set by the test)');
    expect(sampleValue(await metricsOf(dashboardUrl), 'sss_kubernetes_node_ready', { node: bare })).toBe(0);
    from = frontend.messages.length;
    await patchNodeStatus(kubectl, bare, {
      conditions: [
        condition('Ready', 'False', 'KubeletNotReady'),
        condition('DiskPressure', 'True', 'KubeletHasDiskPressure'),
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
      ],
    });
    const pressured = await frontend.waitFor(
      (m) => m.serverId === bare && (m.kubernetes?.problems.includes('DiskPressure') ?? false),
      NODE_CHANGE_WITHIN_MS,
      from,
    );
    expect(pressured.info.kubernetes?.problems).toEqual(['DiskPressure']);
  });

  it('joins an agent that starts reporting for a Node, and removes the server once Node and agent are gone', async () => {
    const { dashboardUrl, secret, kubectl } = get();
    let from = frontend.messages.length;
    const agent = connectReporter(dashboardUrl.replace(/^http/, 'ws'), bare, secret);
    try {
      await opened(agent);
      sendReport(agent, { ...seedExample(), serverId: bare, serverName: bare });
      const joined = await frontend.waitFor(
        (m) => m.serverId === bare && m.online,
        NODE_CHANGE_WITHIN_MS,
        from,
      );
      expect(joined.info.agentMissing).toBeUndefined();
      expect(joined.info.kubernetes?.nodeName).toBe(bare);
      from = frontend.messages.length;
      await kubectl(['delete', 'node', bare, '--wait=true']);
      // While the agent still reports, the server stays, without Node facts.
      const orphan = await frontend.waitFor(
        (m) => m.serverId === bare && !m.kubernetes,
        NODE_CHANGE_WITHIN_MS,
        from,
      );
      expect(orphan.info.online).toBe(true);
    } finally {
      agent.close();
    }
    await frontend.waitFor((m) => m.serverId === bare && m.removed === true, NODE_CHANGE_WITHIN_MS, from);
    const listed = await servers(dashboardUrl);
    expect(listed.map((s) => s.serverId)).not.toContain(bare);
  });

  it('removes a deleted Node that has no agent at once', async () => {
    const { kubectl } = get();
    const gone = uniqueNodeName('sss-e2e-gone');
    await createBareNode(kubectl, gone);
    await frontend.waitFor((m) => m.serverId === gone && m.agentMissing === true, NODE_CHANGE_WITHIN_MS);
    const from = frontend.messages.length;
    await kubectl(['delete', 'node', gone, '--wait=true']);
    await frontend.waitFor((m) => m.serverId === gone && m.removed === true, NODE_CHANGE_WITHIN_MS, from);
  });

  it('refuses an agent whose id is no Node with 1008, and counts it', async () => {
    const { dashboardUrl, secret } = get();
    const before = sampleValue(await metricsOf(dashboardUrl), 'sss_agents_refused_total', {
      reason: 'not_a_node',
    });
    const agent = connectReporter(dashboardUrl.replace(/^http/, 'ws'), posing, secret);
    const result = await closed(agent);
    expect(result).toEqual({ code: 1008, reason: 'server id is not a Node of this cluster' });
    const after = sampleValue(await metricsOf(dashboardUrl), 'sss_agents_refused_total', {
      reason: 'not_a_node',
    });
    expect(after).toBe(before + 1);
    expect((await servers(dashboardUrl)).map((s) => s.serverId)).not.toContain(posing);
  });

  it('never sent a message that breaks a client written to the seed alone', async () => {
    const kinds = new Set<string>();
    const seed = new SeedClient();
    for (const data of raw) {
      const message = JSON.parse(data) as FrontendServerInfo;
      if (message.removed) kinds.add('removed');
      else if (message.kubernetes?.ready === 'false') kinds.add('not ready');
      else if (message.agentMissing && message.lastSeen === 0) kinds.add('never reported');
      else if (message.online && message.kubernetes) kinds.add('online node');
      seed.onmessage({ data });
      expect(() => seed.render()).not.toThrow();
    }
    expect([...kinds].sort()).toEqual(['never reported', 'not ready', 'online node', 'removed']);
    expect(seed.render().length).toBeGreaterThan(0);
    frontend.close();
    // The socket is closed by the client; wait for it so nothing outlives the file.
    if (frontend.ws.readyState !== WebSocket.CLOSED) await closed(frontend.ws).catch(() => undefined);
  });
}
