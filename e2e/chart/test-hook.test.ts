// The `helm test` hook's script, taken from the rendered chart, run with node against a real dashboard and agent:
// it passes once /readyz answers and a server is listed, and fails with a reason when there is none.
import { spawn } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dnsStandIn } from '../support/dns-stand-in';
import { type Dashboard, newSecret, startAgent, startDashboard, stopAll } from '../support/processes';
import { redisServerPath, startRedis } from '../support/redis';
import { container, envOf, helm, render } from './chart';

function hookCommand(): string[] {
  const pod = render().one('Pod', 'sss-test');
  return container(pod, 'check').command as string[];
}

/** Runs the hook's command as the pod would (its `node` is this machine's node), after nodeOptions. */
function runHook(command: string[], env: Record<string, string>, nodeOptions: string[] = []) {
  const [node, ...args] = command;
  expect(node).toBe('node');
  const child = spawn(process.execPath, [...nodeOptions, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, output })),
  );
}

describe.skipIf(!helm)('chart: the helm test hook', () => {
  afterEach(() => stopAll());
  afterAll(() => stopAll());

  it('passes once the dashboard is ready and an agent has reported', async () => {
    const dashboard = await startDashboard();
    startAgent(dashboard, { SSS_SERVER_ID: 'hook-node-1', SSS_INTERVAL: '1', SSS_HEALTH_PORT: '0' });
    const result = await runHook(hookCommand(), { DASHBOARD_URL: dashboard.url, TIMEOUT_SECONDS: '30' });
    expect(result.output).toContain('ok: GET /readyz 200; GET /api/servers lists hook-node-1');
    expect(result.code).toBe(0);
  });

  it('fails with the reason when no server has reported before the timeout', async () => {
    const dashboard = await startDashboard();
    const result = await runHook(hookCommand(), { DASHBOARD_URL: dashboard.url, TIMEOUT_SECONDS: '3' });
    expect(result.output).toContain(
      `failed after 3 s against ${dashboard.url}: GET /api/servers answered 200`,
    );
    expect(result.output).toContain('with no online server');
    expect(result.code).toBe(1);
  });

  it('fails when the dashboard cannot be reached', async () => {
    const dashboard = await startDashboard();
    const url = dashboard.url;
    await dashboard.stop();
    const result = await runHook(hookCommand(), { DASHBOARD_URL: url, TIMEOUT_SECONDS: '3' });
    expect(result.output).toMatch(/failed after 3 s .*TypeError: fetch failed/);
    expect(result.code).toBe(1);
  });

  it('presents the frontend token when the chart configures one', async () => {
    const token = newSecret();
    const dashboard = await startDashboard({ SSS_FRONTEND_TOKEN: token });
    startAgent(dashboard, { SSS_SERVER_ID: 'hook-node-2', SSS_INTERVAL: '1', SSS_HEALTH_PORT: '0' });
    const pod = render({ set: { 'dashboard.frontendToken.existingSecret': 'ui-token' } }).one(
      'Pod',
      'sss-test',
    );
    expect(envOf(container(pod, 'check')).SSS_FRONTEND_TOKEN?.valueFrom).toEqual({
      secretKeyRef: { name: 'ui-token', key: 'token' },
    });
    const command = container(pod, 'check').command as string[];
    const without = await runHook(command, { DASHBOARD_URL: dashboard.url, TIMEOUT_SECONDS: '3' });
    expect(without.output).toContain('GET /api/servers answered 401');
    expect(without.code).toBe(1);
    const withToken = await runHook(command, {
      DASHBOARD_URL: dashboard.url,
      TIMEOUT_SECONDS: '30',
      SSS_FRONTEND_TOKEN: token,
    });
    expect(withToken.output).toContain('lists hook-node-2');
    expect(withToken.code).toBe(0);
  });

  describe('with replicas', () => {
    const replicaHosts = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];

    /** Three dashboards on one port, one loopback address each, as three Pods behind the headless Service. */
    async function startReplicas(env: Record<string, string> = {}): Promise<Dashboard[]> {
      const secret = newSecret();
      const replicas: Dashboard[] = [];
      // The first picks the port (none found free and bound later); the others share it on their own addresses.
      let port = 0;
      for (const host of replicaHosts) {
        const dashboard = await startDashboard({
          ...env,
          SSS_HOST: host,
          SSS_PORT: String(port),
          SSS_AUTH_SECRET: secret,
        });
        port = dashboard.port;
        replicas.push(
          Object.assign(dashboard, { url: `http://${host}:${port}`, wsUrl: `ws://${host}:${port}` }),
        );
      }
      return replicas;
    }

    /**
     * Runs the hook rendered for three replicas against them: DASHBOARD_URL is the first (the Service picks one),
     * and the headless Service's name resolves to the replicas' addresses (or to `resolvesTo`).
     */
    function runReplicaHook(replicas: Dashboard[], timeoutSeconds: number, resolvesTo = replicaHosts) {
      const pod = render({
        set: { 'dashboard.replicas': 3, 'dashboard.redis.url': 'redis://redis:6379' },
      }).one('Pod', 'sss-test');
      const check = container(pod, 'check');
      expect(envOf(check).REPLICAS?.value).toBe('3');
      expect(envOf(check).REPLICAS_URL?.value).toBe('http://sss-dashboard-headless:8900');
      const [first] = replicas;
      if (!first) throw new Error('no replica');
      return runHook(
        check.command as string[],
        {
          DASHBOARD_URL: first.url,
          TIMEOUT_SECONDS: String(timeoutSeconds),
          REPLICAS: '3',
          // A Pod's port is its container port, the same on every replica: here the one the three share.
          REPLICAS_URL: `http://sss-dashboard-headless:${first.port}`,
        },
        dnsStandIn({ 'sss-dashboard-headless': resolvesTo }),
      );
    }

    /** An agent reporting every second to one replica. */
    const report = (replica: Dashboard | undefined, id: string) =>
      startAgent(replica as Dashboard, { SSS_SERVER_ID: id, SSS_INTERVAL: '1', SSS_HEALTH_PORT: '0' });

    it('fails naming the replica whose list differs from the others', async () => {
      // No Redis: three independent dashboards, so each lists exactly what reported to it.
      const replicas = await startReplicas();
      const agents = [
        ...replicas.map((replica) => report(replica, 'hook-a')),
        ...replicas.slice(0, 2).map((replica) => report(replica, 'hook-b')),
      ];
      // Every list complete before the hook's 4 s start: five agents starting on a busy machine may take longer,
      // and a list still without hook-a or hook-b makes another difference the first one named.
      await Promise.all(agents.map((agent) => agent.waitForLog((l) => l.msg === 'connected', 20_000)));
      const result = await runReplicaHook(replicas, 4);
      expect(result.output).toContain(
        'replica 127.0.0.4 lists [hook-a] but replica 127.0.0.2 lists [hook-a, hook-b] (lacks hook-b)',
      );
      expect(result.code).toBe(1);
    });

    it.skipIf(!redisServerPath)(
      'passes when replicas sharing a real redis-server list the same servers, each agent on one replica',
      async () => {
        const redis = await startRedis();
        try {
          const replicas = await startReplicas({ SSS_REDIS_URL: redis.url, SSS_REDIS_PREFIX: 'hook' });
          for (const [i, replica] of replicas.entries()) report(replica, `hook-${i}`);
          const result = await runReplicaHook(replicas, 30);
          expect(result.output).toContain(
            'ok: GET /readyz 200; GET /api/servers lists hook-0, hook-1, hook-2; all 3 replicas list the same 3 servers',
          );
          expect(result.code).toBe(0);
        } finally {
          await stopAll();
          await redis.close();
        }
      },
      60_000,
    );

    it('fails when fewer replicas than expected are ready', async () => {
      const replicas = await startReplicas();
      report(replicas[0], 'hook-a');
      const result = await runReplicaHook(replicas, 3, replicaHosts.slice(0, 2));
      expect(result.output).toContain(
        'sss-dashboard-headless resolves to 2 of 3 replicas (127.0.0.2, 127.0.0.3)',
      );
      expect(result.code).toBe(1);
    });
  });
});
