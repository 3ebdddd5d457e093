// Tier 5: the dashboard between the API server and trouble. It reaches the real API server through a TCP relay
// this test opens and cuts at will (the TLS session runs end to end, so the certificate still matches), with the
// token of a ServiceAccount that starts without any RBAC: unreachable, then forbidden, then allowed, then cut off
// and back. Throughout, reports keep reaching browsers.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { FrontendServerInfo } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectReporter, FrontendClient, opened, sendReport } from '../support/clients';
import { sampleValue, scrape } from '../support/metrics';
import { freePort } from '../support/ports';
import { type Dashboard, startDashboard, stopAll } from '../support/processes';
import { eventually } from './assertions';
import { type ControlPlane, findControlPlaneTools, startControlPlane } from './control-plane';
import { writeKubeconfig } from './kubeconfig';

const tools = findControlPlaneTools();

/** A TCP relay to the API server that can be opened and cut, connections and all. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly port: number,
    private readonly target: number,
  ) {}

  open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    const server = this.server;
    return new Promise((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
  }

  cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe.skipIf(!tools)('the dashboard when the API server is unreachable or forbids', () => {
  let cp: ControlPlane;
  let relay: Relay;
  let dashboard: Dashboard;
  let frontend: FrontendClient;

  const apiState = async () => {
    const samples = await scrape(dashboard.url);
    return samples.find((s) => s.name === 'sss_kubernetes_api_state' && s.value === 1)?.labels.state;
  };
  const logged = (msg: string) => dashboard.lines.filter((l) => l.msg?.startsWith(msg)).length;

  /** One report from an agent the test plays, and proof that a browser got it. */
  async function reportGetsThrough(id: string): Promise<void> {
    const from = frontend.messages.length;
    const agent = connectReporter(dashboard.wsUrl, id, dashboard.secret);
    try {
      await opened(agent);
      sendReport(agent, { ...seedExample(), serverId: id, timestamp: Date.now() / 1000 });
      await frontend.waitFor((m: FrontendServerInfo) => m.serverId === id && m.online, 2_000, from);
    } finally {
      agent.close();
    }
  }

  beforeAll(async () => {
    cp = await startControlPlane({ nodes: 2 });
    await cp.kubectl(['create', 'serviceaccount', 'watcher', '-n', 'default']);
    const token = (await cp.kubectl(['create', 'token', 'watcher', '-n', 'default', '--duration=1h'])).trim();
    relay = new Relay(await freePort(), Number(new URL(cp.server).port));
    const kubeconfig = join(cp.dir, 'relayed.kubeconfig');
    writeKubeconfig(kubeconfig, `https://127.0.0.1:${relay.port}`, cp.caFile, { token });
    // The relay is closed: the API server is unreachable from the start.
    dashboard = await startDashboard({ SSS_KUBERNETES: 'on', SSS_ID_POLICY: 'any', KUBECONFIG: kubeconfig });
    frontend = new FrontendClient(dashboard.wsUrl);
    await frontend.open();
  }, 120_000);

  afterAll(async () => {
    frontend?.close();
    await relay?.cut();
    await stopAll();
    await cp?.stop();
  }, 30_000);

  it('serves reports and browsers while the API server is unreachable, and says so once', async () => {
    await eventually(async () => expect(await apiState()).toBe('unreachable'), 10_000);
    await reportGetsThrough('outside-1');
    // Several retries later (1 s, 2 s, 4 s ...) the log still has one line for it.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(logged('kubernetes: cannot reach the API server')).toBe(1);
    const samples = await scrape(dashboard.url);
    expect(
      sampleValue(samples, 'sss_kubernetes_api_errors_total', { state: 'unreachable' }),
    ).toBeGreaterThanOrEqual(2);
    expect(sampleValue(samples, 'sss_kubernetes_nodes')).toBe(0);
  });

  it('says once that it may not list Nodes when the ServiceAccount has no RBAC', async () => {
    await relay.open();
    await eventually(async () => expect(await apiState()).toBe('forbidden'), 40_000);
    expect(logged('kubernetes: not allowed to list/watch nodes')).toBe(1);
    await reportGetsThrough('outside-2');
  }, 60_000);

  it('lists the Nodes once it is allowed to, without a restart', async () => {
    await cp.kubectl(['create', 'clusterrole', 'node-reader', '--verb=get,list,watch', '--resource=nodes']);
    await cp.kubectl([
      'create',
      'clusterrolebinding',
      'watcher-reads-nodes',
      '--clusterrole=node-reader',
      '--serviceaccount=default:watcher',
    ]);
    await eventually(async () => expect(await apiState()).toBe('synced'), 45_000);
    expect(logged('kubernetes: connection to the API server restored')).toBe(1);
    const list = (await (await fetch(`${dashboard.url}/api/servers`)).json()) as FrontendServerInfo[];
    expect(
      list
        .filter((s) => s.agentMissing)
        .map((s) => s.serverId)
        .sort(),
    ).toEqual(['node-1', 'node-2']);
  }, 60_000);

  it('keeps the Nodes it knows through an outage, and catches up on what changed meanwhile', async () => {
    await relay.cut();
    await eventually(async () => expect(await apiState()).toBe('unreachable'), 120_000);
    expect(sampleValue(await scrape(dashboard.url), 'sss_kubernetes_nodes')).toBe(2);
    await reportGetsThrough('outside-3');
    // Changed while the dashboard cannot see it: it learns of it by listing again after the outage.
    await cp.kubectl(['cordon', 'node-1']);
    const from = frontend.messages.length;
    await relay.open();
    const { info } = await frontend.waitFor(
      (m) => m.serverId === 'node-1' && m.kubernetes?.unschedulable === true,
      45_000,
      from,
    );
    expect(info.agentMissing).toBe(true);
    expect(await apiState()).toBe('synced');
  }, 180_000);
});
