// Issue 14: dashboard replicas over a real Redis (Debian redis-server on loopback), behind a real nginx balancing
// WebSockets over them, with report clients that reconnect with backoff like the agent.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloseCode, type FrontendServerInfo, type ServerInfo } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type Closed, closed, connectReporter, FrontendClient, opened, sendReport } from './support/clients';
import { sampleValue, scrape } from './support/metrics';
import { type Nginx, nginxPath, startNginx } from './support/nginx';
import { agentMain, dashboardMain } from './support/paths';
import { type Dashboard, newSecret, startDashboard, startProgram, stopAll } from './support/processes';
import { WebhookReceiver } from './support/receiver';
import { type RedisServer, redisServerPath, startRedis } from './support/redis';
import { startTcpRelay } from './support/tcp-relay';
import { findTool } from './support/tools';

/** The report interval the replicas expect (SSS_INTERVAL) and the clients keep. */
const INTERVAL_MS = 1_000;
/** The clients' reconnect backoff: 250 ms doubling to 2 s, as the agent's but shorter. */
const BACKOFF_MS = { initial: 250, max: 2_000 };
/**
 * The kill -9 test's interval: its offline window (3 intervals, 9 s) is far beyond the agents' rejoin, so a server
 * that shows offline there was marked so because its replica vanished, not because a busy machine was slow.
 */
const KILL_INTERVAL_MS = 3_000;
/** How soon a dead replica's agents report again through the others: the backoff's worst case plus one interval. */
const REJOIN_BOUND_MS = BACKOFF_MS.max + KILL_INTERVAL_MS;

function report(serverId: string, seq: number): ServerInfo {
  // The sequence number rides in uptime, so each browser message says which report it carries.
  const seed = seedExample();
  return { ...seed, serverId, serverName: serverId, system: { ...seed.system, uptime: seq } };
}

/** A report client that reports every interval and reconnects with backoff, as the agent does. */
class SimAgent {
  ws: WebSocket | undefined;
  seq = 0;
  /** When each report left, by sequence number (performance.now()). */
  readonly sent = new Map<number, number>();
  readonly closes: Closed[] = [];
  private timer: NodeJS.Timeout | undefined;
  private retry = BACKOFF_MS.initial;
  private stopped = false;

  constructor(
    readonly url: string,
    readonly id: string,
    readonly secret: string,
    readonly intervalMs = INTERVAL_MS,
  ) {}

  start(): void {
    const ws = connectReporter(this.url, this.id, this.secret);
    this.ws = ws;
    ws.on('open', () => {
      this.retry = BACKOFF_MS.initial;
      this.send();
      this.timer = setInterval(() => this.send(), this.intervalMs);
    });
    ws.on('close', (code, reason) => {
      clearInterval(this.timer);
      this.closes.push({ code, reason: reason.toString() });
      if (this.stopped || code === CloseCode.replaced) return;
      setTimeout(() => this.start(), this.retry * (1 + Math.random() * 0.2));
      this.retry = Math.min(this.retry * 2, BACKOFF_MS.max);
    });
  }

  private send(): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    this.seq++;
    this.sent.set(this.seq, performance.now());
    sendReport(this.ws, report(this.id, this.seq));
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.ws?.terminate();
  }
}

interface Replicas {
  redis: RedisServer;
  dashboards: Dashboard[];
  secret: string;
}

async function startReplicas(
  count: number,
  redis: RedisServer,
  env: Record<string, string> = {},
): Promise<Replicas> {
  const secret = newSecret();
  const dashboards = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      startDashboard({
        SSS_AUTH_SECRET: secret,
        SSS_REDIS_URL: redis.url,
        SSS_REPLICA_ID: `dash-${i}`,
        SSS_INTERVAL: String(INTERVAL_MS / 1000),
        SSS_LOG_LEVEL: 'info',
        ...env,
      }),
    ),
  );
  await Promise.all(
    dashboards.map((d) => d.waitForLog((l) => l.msg === 'replicas: connected to redis', 10_000)),
  );
  return { redis, dashboards, secret };
}

async function servers(dashboard: Dashboard): Promise<FrontendServerInfo[]> {
  const res = await fetch(`${dashboard.url}/api/servers`, { signal: AbortSignal.timeout(5_000) });
  return (await res.json()) as FrontendServerInfo[];
}

/** Polls until `check` holds, or fails with what `describe` says after timeoutMs. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return performance.now() - started;
}

/** Every dashboard lists exactly these ids, all online. */
async function allAgree(dashboards: Dashboard[], ids: string[]): Promise<boolean> {
  const lists = await Promise.all(dashboards.map(servers));
  return lists.every(
    (list) =>
      list.length === ids.length && ids.every((id) => list.some((s) => s.serverId === id && s.online)),
  );
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Which replica holds each agent, from the replicas' logs (the last 'agent connected' wins). */
function holders(dashboards: Dashboard[]): Map<string, number> {
  const held = new Map<string, { at: number; replica: number }>();
  dashboards.forEach((d, replica) => {
    for (const line of d.lines) {
      if (line.msg !== 'agent connected') continue;
      const at = Date.parse(String(line.time));
      const id = String(line.serverId);
      if ((held.get(id)?.at ?? -1) <= at) held.set(id, { at, replica });
    }
  });
  return new Map([...held].map(([id, h]) => [id, h.replica]));
}

/** The longest time each server showed offline to a browser, from its messages (ms). */
function longestOffline(browser: FrontendClient, ids: string[], until: number): number {
  let longest = 0;
  for (const id of ids) {
    let since: number | undefined;
    for (const { at, info } of browser.messages) {
      if (info.serverId !== id) continue;
      if (!info.online && since === undefined) since = at;
      if (info.online && since !== undefined) {
        longest = Math.max(longest, at - since);
        since = undefined;
      }
    }
    if (since !== undefined) longest = Math.max(longest, until - since);
  }
  return longest;
}

const needs = !redisServerPath || !nginxPath;
const opensslPath = findTool('openssl');
const redisCliPath = findTool('redis-cli');
const promtoolPath = findTool('promtool');

describe('dashboard replicas over redis', () => {
  let redis: RedisServer | undefined;
  let nginx: Nginx | undefined;
  const agents: SimAgent[] = [];
  const browsers: FrontendClient[] = [];

  afterEach(async () => {
    for (const agent of agents.splice(0)) agent.stop();
    for (const browser of browsers.splice(0)) browser.close();
    await stopAll();
    await nginx?.stop();
    await redis?.close();
    nginx = undefined;
    redis = undefined;
  });

  /** web-1 reports once to the replica at `from` (ws URL) and a browser on the one at `to` sees it online. */
  async function reportReaches(from: string, to: string, secret: string): Promise<void> {
    const browser = new FrontendClient(to);
    browsers.push(browser);
    await browser.open();
    const reporter = connectReporter(from, 'web-1', secret);
    try {
      await opened(reporter);
      sendReport(reporter, report('web-1', 1));
      await browser.waitFor((m) => m.serverId === 'web-1' && m.online, 5_000);
    } finally {
      reporter.close();
    }
  }

  /** Redis, `count` replicas behind nginx, a browser on each replica directly and `agentCount` agents via nginx. */
  async function cluster(count: number, agentCount: number, intervalMs = INTERVAL_MS) {
    redis = await startRedis();
    const replicas = await startReplicas(count, redis, { SSS_INTERVAL: String(intervalMs / 1000) });
    nginx = await startNginx({ upstreams: replicas.dashboards.map((d) => d.port) });
    const onEach = replicas.dashboards.map((d) => new FrontendClient(d.wsUrl));
    browsers.push(...onEach);
    await Promise.all(onEach.map((b) => b.open()));
    const ids = Array.from({ length: agentCount }, (_, i) => `node-${String(i).padStart(2, '0')}`);
    const wsUrl = nginx.wsUrl;
    for (const id of ids) {
      const agent = new SimAgent(wsUrl, id, replicas.secret, intervalMs);
      agents.push(agent);
      agent.start();
    }
    await eventually(
      () => allAgree(replicas.dashboards, ids),
      15_000,
      'every replica lists every server online',
    );
    return { ...replicas, nginx, browsers: onEach, ids };
  }

  it.skipIf(needs)(
    '3 replicas behind nginx, 50 agents: every browser receives every report; p99 to another replica recorded',
    async () => {
      const { dashboards, browsers: onEach, ids, nginx: lb, secret } = await cluster(3, 50);
      // Three real agents through nginx too: every browser lists them online and gets their reports.
      const real = ['real-0', 'real-1', 'real-2'];
      for (const id of real) {
        startProgram('agent', agentMain, {
          SSS_DASHBOARD_URL: `${lb.wsUrl}/ws-report`,
          SSS_AUTH_SECRET: secret,
          SSS_SERVER_ID: id,
          SSS_INTERVAL: String(INTERVAL_MS / 1000),
          SSS_HEALTH_PORT: '0',
        });
      }
      for (const browser of onEach) {
        for (const id of real) {
          const first = await browser.waitFor((m) => m.serverId === id && m.online, 15_000);
          await browser.waitFor(
            (m) => m.serverId === id && m.online && m.lastSeen > first.info.lastSeen,
            5_000,
          );
        }
      }
      const held = holders(dashboards);
      // Every replica holds some agents (nginx balances round robin).
      expect(new Set(held.values()).size).toBe(3);
      const from = new Map(agents.map((a) => [a.id, a.seq]));
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      const to = new Map(agents.map((a) => [a.id, a.seq]));
      await new Promise((resolve) => setTimeout(resolve, 1_000));

      const latencies: number[] = [];
      /** To a browser on the replica that received the report, for comparison: what the bus adds. */
      const local: number[] = [];
      let expected = 0;
      onEach.forEach((browser, replica) => {
        const arrived = new Map<string, number>();
        for (const { at, info } of browser.messages)
          arrived.set(`${info.serverId}:${info.system.uptime}`, at);
        for (const agent of agents) {
          for (let seq = (from.get(agent.id) ?? 0) + 1; seq <= (to.get(agent.id) ?? 0); seq++) {
            expected++;
            const at = arrived.get(`${agent.id}:${seq}`);
            expect(at, `${agent.id} report ${seq} on replica ${replica}`).toBeDefined();
            const sent = agent.sent.get(seq);
            if (at !== undefined && sent !== undefined) {
              (held.get(agent.id) === replica ? local : latencies).push(at - sent);
            }
          }
        }
      });
      expect(expected).toBeGreaterThan(3 * ids.length * 4);
      const p50 = percentile(latencies, 50);
      const p99 = percentile(latencies, 99);
      const line = `replicas e2e: 3 replicas, ${ids.length} agents at ${INTERVAL_MS / 1000} s, ${latencies.length} deliveries to a browser on another replica: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms; on the same replica p50 ${percentile(local, 50).toFixed(1)} ms, p99 ${percentile(local, 99).toFixed(1)} ms (${new Date().toISOString()})`;
      console.log(line);
      writeFileSync('/tmp/bus-p99.txt', `${line}\n`, { flag: 'a' });

      // A replica started now lists every server at once, online (the state hash), before any report reaches it.
      const late = await startDashboard({
        SSS_AUTH_SECRET: dashboards[0]?.secret ?? '',
        SSS_REDIS_URL: (redis as RedisServer).url,
        SSS_REPLICA_ID: 'dash-late',
        SSS_INTERVAL: String(INTERVAL_MS / 1000),
        SSS_LOG_LEVEL: 'info',
      });
      await late.waitForLog((l) => l.msg === 'replicas: connected to redis', 10_000);
      await eventually(
        () => allAgree([late], [...ids, ...real]),
        2_000,
        'the new replica lists every server online',
      );

      // The bus in /metrics: up, messages both ways, deliveries timed.
      for (const dashboard of dashboards) {
        const samples = await scrape(dashboard.url);
        if (promtoolPath) {
          const text = await (
            await fetch(`${dashboard.url}/metrics`, { signal: AbortSignal.timeout(5_000) })
          ).text();
          const check = spawnSync(promtoolPath, ['check', 'metrics'], { input: text, encoding: 'utf8' });
          expect(`${check.stdout}${check.stderr}`.split('\n').filter((l) => l.includes('sss_bus'))).toEqual(
            [],
          );
        }
        expect(sampleValue(samples, 'sss_bus_up')).toBe(1);
        expect(sampleValue(samples, 'sss_bus_messages_published_total')).toBeGreaterThan(0);
        expect(sampleValue(samples, 'sss_bus_messages_received_total')).toBeGreaterThan(0);
        expect(sampleValue(samples, 'sss_bus_delivery_seconds_count')).toBeGreaterThan(0);
      }
    },
    90_000,
  );

  it.skipIf(needs)(
    'kill -9 of a replica: its agents rejoin through nginx, its browsers reconnect and get everything, no server offline on the others',
    async () => {
      const { dashboards, browsers: onEach, ids, nginx: lb } = await cluster(3, 50, KILL_INTERVAL_MS);
      const [, , victim] = dashboards as [Dashboard, Dashboard, Dashboard];
      const survivors = dashboards.slice(0, 2);
      const held = holders(dashboards);
      const moved = ids.filter((id) => held.get(id) === 2);
      expect(moved.length).toBeGreaterThan(0);
      const lastSeq = new Map(agents.map((a) => [a.id, a.seq]));

      const killedAt = performance.now();
      const victimBrowser = onEach[2] as FrontendClient;
      const gone = closed(victimBrowser.ws, 5_000);
      victim.child.kill('SIGKILL');
      await victim.exited;
      await gone;

      // Its browser reconnects (through the load balancer: to a survivor) and gets the full snapshot.
      const again = new FrontendClient(lb.wsUrl);
      browsers.push(again);
      await again.open();
      await eventually(
        async () => new Set(again.messages.map((m) => m.info.serverId)).size === ids.length,
        10_000,
        'the snapshot lists every server',
      );

      // Each moved agent reports again, through a survivor, within the backoff plus one interval.
      let slowest = 0;
      for (const browser of [onEach[0], onEach[1], again] as FrontendClient[]) {
        for (const id of moved) {
          const { at } = await browser.waitFor(
            (m) => m.serverId === id && m.online && m.system.uptime > (lastSeq.get(id) ?? 0),
            REJOIN_BOUND_MS + 10_000,
          );
          expect(at - killedAt, `${id} back within the backoff plus one interval`).toBeLessThan(
            REJOIN_BOUND_MS,
          );
          slowest = Math.max(slowest, at - killedAt);
        }
      }
      const line = `kill -9 of 1 of 3 replicas: its ${moved.length} agents reported through the others ${(slowest / 1000).toFixed(2)} s after at the latest (bound ${REJOIN_BOUND_MS / 1000} s)`;
      console.log(line);
      writeFileSync('/tmp/bus-p99.txt', `${line}\n`, { flag: 'a' });
      await eventually(
        () => allAgree(survivors, ids),
        REJOIN_BOUND_MS,
        'the survivors list every server online',
      );
      // Two intervals more for an offline that comes late; none may come at all: every agent was back long before
      // its server's offline window ran out.
      await new Promise((resolve) => setTimeout(resolve, 2 * KILL_INTERVAL_MS));
      const now = performance.now();
      for (const browser of [onEach[0], onEach[1], again] as FrontendClient[]) {
        expect(longestOffline(browser, ids, now)).toBe(0);
      }
    },
    90_000,
  );

  it.skipIf(needs)(
    'Redis stopped for 30 s: every replica serves its own agents, says so once, and all agree within seconds of its return',
    async () => {
      const { dashboards, browsers: onEach, ids } = await cluster(3, 30);
      const server = redis as RedisServer;
      const held = holders(dashboards);
      await server.stop();
      const stoppedAt = performance.now();
      await Promise.all(
        dashboards.map((d) =>
          d.waitForLog((l) => String(l.msg).startsWith('replicas: redis unreachable'), 10_000),
        ),
      );
      for (const dashboard of dashboards) {
        expect(sampleValue(await scrape(dashboard.url), 'sss_bus_up')).toBe(0);
      }
      await new Promise((resolve) => setTimeout(resolve, 25_000));

      // Meanwhile each replica's browser kept getting its own agents' reports, up to the latest.
      for (const [replica, browser] of onEach.entries()) {
        const own = agents.filter((a) => held.get(a.id) === replica);
        expect(own.length).toBeGreaterThan(0);
        for (const agent of own) {
          const seq = agent.seq - 1;
          await browser.waitFor((m) => m.serverId === agent.id && m.online && m.system.uptime >= seq, 3_000);
        }
      }
      const outage = performance.now() - stoppedAt;
      expect(outage).toBeGreaterThan(25_000);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 30_000 - outage)));

      await server.start();
      const back = await eventually(() => allAgree(dashboards, ids), 15_000, 'all replicas agree again');
      console.log(
        `replicas e2e: after 30 s without Redis, all 3 replicas agreed on ${ids.length} servers ${(back / 1000).toFixed(1)} s after it returned`,
      );
      writeFileSync(
        '/tmp/bus-p99.txt',
        `redis outage 30 s: all replicas agreed ${(back / 1000).toFixed(1)} s after Redis returned\n`,
        { flag: 'a' },
      );
      // Reports cross replicas again: each browser sees every server's next report.
      const seqs = new Map(agents.map((a) => [a.id, a.seq]));
      for (const browser of onEach) {
        for (const id of ids) {
          await browser.waitFor((m) => m.serverId === id && m.system.uptime > (seqs.get(id) ?? 0), 5_000);
        }
      }
      for (const dashboard of dashboards) {
        expect(dashboard.child.exitCode).toBeNull();
        const samples = await scrape(dashboard.url);
        expect(sampleValue(samples, 'sss_bus_up')).toBe(1);
        expect(sampleValue(samples, 'sss_bus_reconnects_total')).toBeGreaterThanOrEqual(1);
        expect(
          dashboard.lines.filter((l) => String(l.msg).startsWith('replicas: redis unreachable')),
        ).toHaveLength(1);
      }
    },
    120_000,
  );

  it.skipIf(needs)(
    'a Redis that hangs (SIGSTOP) is noticed as down within seconds; all agree again after SIGCONT',
    async () => {
      const { dashboards, browsers: onEach, ids } = await cluster(2, 10);
      const server = redis as RedisServer;
      const held = holders(dashboards);
      server.signal('SIGSTOP');
      try {
        await Promise.all(
          dashboards.map((d) =>
            d.waitForLog((l) => String(l.msg).startsWith('replicas: redis unreachable'), 15_000),
          ),
        );
        for (const dashboard of dashboards) {
          expect(sampleValue(await scrape(dashboard.url), 'sss_bus_up')).toBe(0);
        }
        // Each replica's browser still gets its own agents' reports.
        for (const [replica, browser] of onEach.entries()) {
          for (const agent of agents.filter((a) => held.get(a.id) === replica)) {
            const seq = agent.seq;
            await browser.waitFor((m) => m.serverId === agent.id && m.system.uptime > seq, 3_000);
          }
        }
      } finally {
        server.signal('SIGCONT');
      }
      await eventually(() => allAgree(dashboards, ids), 15_000, 'all replicas agree again');
      for (const dashboard of dashboards) {
        expect(sampleValue(await scrape(dashboard.url), 'sss_bus_up')).toBe(1);
      }
    },
    90_000,
  );

  it.skipIf(needs)(
    'an alert fires on every replica and its notification is sent once',
    async () => {
      redis = await startRedis();
      const hook = new WebhookReceiver();
      await hook.up();
      const dir = mkdtempSync(join(tmpdir(), 'sss-replicas-'));
      try {
        const config = join(dir, 'config.yaml');
        writeFileSync(
          config,
          [
            'alerts:',
            '  - name: ServerOffline',
            '    kind: offline',
            '    for: 0s',
            '    severity: critical',
            'notifications:',
            '  - name: hook',
            '    type: webhook',
            `    url: ${hook.url}`,
          ].join('\n'),
        );
        const { dashboards, secret } = await startReplicas(3, redis, { SSS_CONFIG: config });
        await eventually(
          async () =>
            dashboards.some((d) =>
              d.lines.some((l) => l.msg === 'replicas: this replica sends the alert notifications'),
            ),
          10_000,
          'a replica holds the notification lease',
        );
        const reporter = connectReporter((dashboards[1] as Dashboard).wsUrl, 'box-1', secret);
        await opened(reporter);
        sendReport(reporter, report('box-1', 1));
        await eventually(() => allAgree(dashboards, ['box-1']), 5_000, 'every replica lists box-1');
        reporter.close();
        await Promise.all(dashboards.map((d) => d.waitForLog((l) => l.msg === 'alert firing', 10_000)));
        await hook.waitForAlert((a) => a.status === 'firing' && a.labels.server_id === 'box-1', 10_000);
        // Every replica evaluated it; a receiver gets it from one only.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        expect(hook.alerts().filter((a) => a.status === 'firing')).toHaveLength(1);
        const senders = dashboards.filter((d) =>
          d.lines.some((l) => l.msg === 'replicas: this replica sends the alert notifications'),
        );
        expect(senders).toHaveLength(1);
      } finally {
        await hook.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it.skipIf(needs)(
    "Redis down longer than offline-after plus the rule's for: no ServerOffline for servers reporting to another replica; one for a server that went from its own replica",
    async () => {
      redis = await startRedis();
      const server = redis;
      const hook = new WebhookReceiver();
      await hook.up();
      const dir = mkdtempSync(join(tmpdir(), 'sss-replicas-'));
      try {
        const config = join(dir, 'config.yaml');
        writeFileSync(
          config,
          [
            'alerts:',
            '  - name: ServerOffline',
            '    kind: offline',
            '    for: 2s',
            '    severity: critical',
            'notifications:',
            '  - name: hook',
            '    type: webhook',
            `    url: ${hook.url}`,
          ].join('\n'),
        );
        const { dashboards, secret } = await startReplicas(3, redis, { SSS_CONFIG: config });
        // One agent on each replica, directly.
        const ids = ['node-a', 'node-b', 'node-c'];
        for (const [i, id] of ids.entries()) {
          const agent = new SimAgent((dashboards[i] as Dashboard).wsUrl, id, secret);
          agents.push(agent);
          agent.start();
        }
        await eventually(() => allAgree(dashboards, ids), 10_000, 'every replica lists every server online');
        await Promise.all(dashboards.map((d) => d.waitForLog((l) => l.msg === 'agent connected', 5_000)));
        // The claims (the owners) have crossed the bus before Redis goes. A replica writes its claim to the owners
        // hash after publishing it, on the same connection; a report it publishes after that reaches every other
        // replica after the claim (one publisher's messages keep their order): each browser sees such a report.
        await eventually(
          async () => (await server.command('HLEN', 'sss:owners')) === `:${ids.length}`,
          10_000,
          'every connection is claimed',
        );
        const claimedAt = new Map(agents.map((a) => [a.id, a.seq]));
        const onEach = dashboards.map((d) => new FrontendClient(d.wsUrl));
        browsers.push(...onEach);
        await Promise.all(onEach.map((b) => b.open()));
        for (const browser of onEach) {
          for (const id of ids) {
            await browser.waitFor(
              (m) => m.serverId === id && m.system.uptime > (claimedAt.get(id) ?? 0),
              10_000,
            );
          }
        }

        await server.stop();
        await Promise.all(
          dashboards.map((d) =>
            d.waitForLog((l) => String(l.msg).startsWith('replicas: redis unreachable'), 10_000),
          ),
        );
        // node-c's agent goes while Redis is down: its own replica (dash-2) still notifies.
        agents[2]?.stop();
        // offline-after (3 intervals, 3 s) plus the rule's 2 s, twice over.
        await new Promise((resolve) => setTimeout(resolve, 10_000));
        await hook.waitForAlert((a) => a.status === 'firing' && a.labels.server_id === 'node-c', 5_000);

        await server.start();
        await Promise.all(
          dashboards.map((d) =>
            d.waitForLog((l) => l.msg === 'replicas: redis is back; resynchronising', 10_000),
          ),
        );
        // After Redis returns: offline-after and the rule's for once more (a false alert would have fired by
        // then), and the replicas agree: node-a and node-b online, node-c offline.
        await new Promise((resolve) => setTimeout(resolve, 6_000));
        const views = async () =>
          (await Promise.all(dashboards.map(servers))).map((list) =>
            list
              .map((s) => `${s.serverId} ${s.online ? 'online' : 'offline'}`)
              .sort()
              .join(', '),
          );
        await expect
          .poll(views, { timeout: 5_000 })
          .toEqual(dashboards.map(() => 'node-a online, node-b online, node-c offline'));
        // No agent lost its connection to a replica's resynchronisation.
        expect(agents.slice(0, 2).flatMap((a) => a.closes)).toEqual([]);
        const about = (id: string) => hook.alerts().filter((a) => a.labels.server_id === id);
        expect(about('node-a')).toEqual([]);
        expect(about('node-b')).toEqual([]);
        expect(about('node-c').filter((a) => a.status === 'firing').length).toBeGreaterThanOrEqual(1);
      } finally {
        await hook.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    90_000,
  );

  it.skipIf(needs)(
    'the password from SSS_REDIS_PASSWORD_FILE or the URL; a wrong one is said once and retried',
    async () => {
      redis = await startRedis(['--requirepass', 'pass word']);
      const dir = mkdtempSync(join(tmpdir(), 'sss-replicas-'));
      try {
        const passwordFile = join(dir, 'password');
        writeFileSync(passwordFile, 'wrong\n');
        const env = {
          SSS_REDIS_URL: redis.url,
          SSS_REDIS_PASSWORD_FILE: passwordFile,
          SSS_LOG_LEVEL: 'info',
        };
        const viaFile = await startDashboard(env);
        await viaFile.waitForLog((l) => String(l.msg).startsWith('replicas: redis unreachable'), 10_000);
        expect(sampleValue(await scrape(viaFile.url), 'sss_bus_up')).toBe(0);
        // The file is read at every connection attempt: a rotated Secret takes effect without a restart.
        writeFileSync(passwordFile, 'pass word\n');
        await viaFile.waitForLog((l) => l.msg === 'replicas: connected to redis', 10_000);
        expect(sampleValue(await scrape(viaFile.url), 'sss_bus_up')).toBe(1);
        expect(
          viaFile.lines.filter((l) => String(l.msg).startsWith('replicas: redis unreachable')),
        ).toHaveLength(1);

        const inUrl = await startDashboard({
          SSS_AUTH_SECRET: viaFile.secret,
          SSS_REDIS_URL: `redis://:pass%20word@127.0.0.1:${redis.port}`,
          SSS_LOG_LEVEL: 'info',
        });
        await inUrl.waitForLog((l) => l.msg === 'replicas: connected to redis', 10_000);
        await reportReaches(inUrl.wsUrl, viaFile.wsUrl, viaFile.secret);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it.skipIf(needs || !opensslPath)(
    'rediss:// with SSS_REDIS_CA_FILE',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sss-replicas-tls-'));
      try {
        const file = (name: string) => join(dir, name);
        const openssl = (args: string[]) => {
          const run = spawnSync(opensslPath as string, args, { encoding: 'utf8' });
          if (run.status !== 0) throw new Error(`openssl ${args[0]}: ${run.stderr}`);
        };
        const key = ['-newkey', 'rsa:2048', '-nodes', '-days', '1'];
        openssl([
          'req',
          '-x509',
          ...key,
          '-subj',
          '/CN=sss test ca',
          '-keyout',
          file('ca.key'),
          '-out',
          file('ca.pem'),
        ]);
        openssl([
          'req',
          ...key,
          '-subj',
          '/CN=127.0.0.1',
          '-keyout',
          file('server.key'),
          '-out',
          file('server.csr'),
        ]);
        writeFileSync(file('ext'), 'subjectAltName=IP:127.0.0.1\n');
        openssl([
          ...['x509', '-req', '-days', '1', '-in', file('server.csr'), '-CA', file('ca.pem')],
          ...[
            '-CAkey',
            file('ca.key'),
            '-CAcreateserial',
            '-extfile',
            file('ext'),
            '-out',
            file('server.pem'),
          ],
        ]);
        redis = await startRedis([], {
          cert: file('server.pem'),
          key: file('server.key'),
          ca: file('ca.pem'),
        });
        expect(redis.url).toMatch(/^rediss:/);
        const { dashboards } = await startReplicas(2, redis, { SSS_REDIS_CA_FILE: file('ca.pem') });
        const [a, b] = dashboards as [Dashboard, Dashboard];
        await reportReaches(a.wsUrl, b.wsUrl, a.secret);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it.skipIf(needs)(
    'a replica restarted with its history store lists the servers the others have online at once',
    async () => {
      redis = await startRedis();
      const dir = mkdtempSync(join(tmpdir(), 'sss-replicas-store-'));
      try {
        // A 20 s interval: the one report below keeps web-1 online for a minute (three starts on a busy machine took
        // much of 15 s), with no report after it.
        const env = { SSS_INTERVAL: '20' };
        const secret = newSecret();
        const replica = (name: string, i: number) => {
          mkdirSync(join(dir, name));
          return startDashboard({
            SSS_AUTH_SECRET: secret,
            SSS_REDIS_URL: (redis as RedisServer).url,
            SSS_REPLICA_ID: `dash-${i}`,
            SSS_LOG_LEVEL: 'info',
            SSS_DATA_DIR: join(dir, name),
            ...env,
          });
        };
        const a = await replica('a', 0);
        await a.waitForLog((l) => l.msg === 'replicas: connected to redis', 10_000);
        const reporter = connectReporter(a.wsUrl, 'web-1', secret);
        await opened(reporter);
        sendReport(reporter, report('web-1', 1));
        await eventually(() => allAgree([a], ['web-1']), 3_000, 'a lists web-1 online');
        // b starts after the report: it learns web-1 from Redis's state hash, not from a report, and keeps it too.
        const b = await replica('b', 1);
        // It reads the hash once connected (after `listening`), in the background: no report comes meanwhile.
        await b.waitForLog((l) => l.msg === 'replicas: connected to redis', 10_000);
        await eventually(() => allAgree([b], ['web-1']), 5_000, 'b lists web-1 online');
        await b.stop('SIGTERM');
        const again = await startDashboard({
          SSS_AUTH_SECRET: secret,
          SSS_REDIS_URL: redis.url,
          SSS_REPLICA_ID: 'dash-1',
          SSS_LOG_LEVEL: 'info',
          SSS_DATA_DIR: join(dir, 'b'),
          ...env,
        });
        expect((await again.waitForLog((l) => l.msg === 'history store opened')).servers).toBe(1);
        await again.waitForLog((l) => l.msg === 'replicas: connected to redis', 10_000);
        // 'connected to redis' comes before the resynchronisation it starts; no report of web-1 follows (one
        // report), so a longer wait lets no report stand in for it.
        await eventually(
          () => allAgree([again], ['web-1']),
          5_000,
          'the restarted replica lists web-1 online',
        );
        reporter.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it.skipIf(needs)(
    'a replica cut from Redis: a server that reported to it meanwhile is listed by the others as soon as it is back, not at its next report',
    async () => {
      redis = await startRedis();
      const relay = await startTcpRelay(redis.port);
      try {
        // A 60 s interval: without the resynchronisation's publication, a would list web-1 only a minute later.
        const secret = newSecret();
        const env = { SSS_AUTH_SECRET: secret, SSS_INTERVAL: '60', SSS_LOG_LEVEL: 'info' };
        const a = await startDashboard({ ...env, SSS_REDIS_URL: redis.url, SSS_REPLICA_ID: 'dash-0' });
        const b = await startDashboard({
          ...env,
          SSS_REDIS_URL: `redis://127.0.0.1:${relay.port}`,
          SSS_REPLICA_ID: 'dash-1',
        });
        await Promise.all(
          [a, b].map((d) => d.waitForLog((l) => l.msg === 'replicas: connected to redis', 10_000)),
        );
        await relay.cut();
        await b.waitForLog((l) => String(l.msg).startsWith('replicas: redis unreachable'), 10_000);
        const reporter = connectReporter(b.wsUrl, 'web-1', secret);
        await opened(reporter);
        sendReport(reporter, report('web-1', 1));
        await eventually(() => allAgree([b], ['web-1']), 3_000, 'b lists web-1 online');
        expect(await servers(a)).toEqual([]);

        await relay.restore();
        await b.waitForLog((l) => l.msg === 'replicas: redis is back; resynchronising', 10_000);
        // The log line comes before the publication it starts; web-1's next report is a minute away, so a longer
        // wait lets no report stand in for the resynchronisation.
        await eventually(
          () => allAgree([a, b], ['web-1']),
          5_000,
          'a lists web-1 online after b resynchronised',
        );
        reporter.close();
      } finally {
        await relay.close();
      }
    },
    60_000,
  );

  it.skipIf(needs)(
    'Redis restarted without its data: every agent keeps its connection (none closed as replaced) and all agree again',
    async () => {
      redis = await startRedis();
      const { dashboards, secret } = await startReplicas(2, redis);
      const [a, b] = dashboards as [Dashboard, Dashboard];
      const agent = (on: Dashboard, id: string) => {
        const sim = new SimAgent(on.wsUrl, id, secret);
        agents.push(sim);
        sim.start();
        return sim;
      };
      // web-1's second connection has generation 2; the restarted Redis counts from 1 again.
      const earlier = agent(a, 'web-1');
      await eventually(() => allAgree(dashboards, ['web-1']), 5_000, 'both list web-1 online');
      earlier.stop();
      await a.waitForLog((l) => l.msg === 'agent disconnected' && l.serverId === 'web-1', 5_000);
      const web1 = agent(a, 'web-1');
      const web2 = agent(b, 'web-2');
      await eventually(
        () => allAgree(dashboards, ['web-1', 'web-2']),
        5_000,
        'both list both servers online',
      );

      await redis.stop();
      await Promise.all(
        dashboards.map((d) =>
          d.waitForLog((l) => String(l.msg).startsWith('replicas: redis unreachable'), 10_000),
        ),
      );
      await redis.start();
      await Promise.all(
        dashboards.map((d) =>
          d.waitForLog((l) => l.msg === 'replicas: redis is back; resynchronising', 10_000),
        ),
      );
      await eventually(
        () => allAgree(dashboards, ['web-1', 'web-2']),
        5_000,
        'both list both servers online after the restart',
      );
      await new Promise((resolve) => setTimeout(resolve, 2 * INTERVAL_MS));
      expect(web1.closes).toEqual([]);
      expect(web2.closes).toEqual([]);
      expect(await allAgree(dashboards, ['web-1', 'web-2'])).toBe(true);
    },
    60_000,
  );

  it.skipIf(needs)(
    'Redis back before a holder: its servers stay online elsewhere until it returns, and one that went meanwhile goes offline then',
    async () => {
      redis = await startRedis();
      const relays = [await startTcpRelay(redis.port), await startTcpRelay(redis.port)];
      try {
        // A 3 s interval: an offline period is 9 s, and the holder returns 10 s after the other replica, later than
        // that period, well within the bound of two (18 s) even after its reconnect backoff (2.4 s at most).
        const secret = newSecret();
        const dashboards = (await Promise.all(
          relays.map((relay, i) =>
            startDashboard({
              SSS_AUTH_SECRET: secret,
              SSS_INTERVAL: '3',
              SSS_LOG_LEVEL: 'info',
              SSS_REDIS_URL: `redis://127.0.0.1:${relay.port}`,
              SSS_REPLICA_ID: `dash-${i}`,
            }),
          ),
        )) as [Dashboard, Dashboard];
        const [a, b] = dashboards;
        await Promise.all(
          dashboards.map((d) => d.waitForLog((l) => l.msg === 'replicas: connected to redis', 10_000)),
        );
        const web1 = new SimAgent(b.wsUrl, 'web-1', secret);
        const web2 = new SimAgent(b.wsUrl, 'web-2', secret);
        agents.push(web1, web2);
        web1.start();
        web2.start();
        const browser = new FrontendClient(a.wsUrl);
        await browser.open();
        await eventually(() => allAgree(dashboards, ['web-1', 'web-2']), 10_000, 'both list both online');

        await Promise.all(relays.map((relay) => relay.cut()));
        await Promise.all(
          dashboards.map((d) =>
            d.waitForLog((l) => String(l.msg).startsWith('replicas: redis unreachable'), 10_000),
          ),
        );
        web2.stop();
        await b.waitForLog((l) => l.msg === 'agent disconnected' && l.serverId === 'web-2', 5_000);
        await relays[0]?.restore();
        await a.waitForLog((l) => l.msg === 'replicas: redis is back; resynchronising', 10_000);
        await new Promise((resolve) => setTimeout(resolve, 10_000));
        expect((await servers(a)).map((s) => [s.serverId, s.online])).toEqual([
          ['web-1', true],
          ['web-2', true],
        ]);

        await relays[1]?.restore();
        await b.waitForLog((l) => l.msg === 'replicas: redis is back; resynchronising', 10_000);
        // b's resynchronisation publishes web-1's state and not web-2's: a takes web-2 for gone.
        await browser.waitFor((info) => info.serverId === 'web-2' && !info.online, 5_000);
        expect((await servers(a)).find((s) => s.serverId === 'web-1')?.online).toBe(true);
        expect(longestOffline(browser, ['web-1'], performance.now())).toBe(0);
      } finally {
        await Promise.all(relays.map((relay) => relay.close()));
      }
    },
    90_000,
  );

  it('a bad SSS_REDIS_URL stops the program with a message naming the setting', async () => {
    for (const url of ['http://127.0.0.1:6379', 'not a url', 'redis://']) {
      const program = startProgram('dashboard', dashboardMain, {
        SSS_AUTH_SECRET: 'x',
        SSS_PORT: '0',
        SSS_REDIS_URL: url,
      });
      expect(await program.exited).toEqual({ code: 1, signal: null });
      expect(program.stderr.join('')).toMatch(
        /^sss-dashboard: SSS_REDIS_URL must be a URL starting with redis:\/\/ or rediss:\/\//,
      );
    }
    const program = startProgram('dashboard', dashboardMain, {
      SSS_AUTH_SECRET: 'x',
      SSS_PORT: '0',
      SSS_REDIS_URL: 'redis://127.0.0.1:1',
      SSS_REDIS_PASSWORD_FILE: '/nonexistent/password',
    });
    expect(await program.exited).toEqual({ code: 1, signal: null });
    expect(program.stderr.join('')).toMatch(/SSS_REDIS_PASSWORD_FILE: cannot read/);
  });

  it.skipIf(needs)(
    'the same server id on two replicas: the older connection closes with 4000 replaced, wherever it is',
    async () => {
      redis = await startRedis();
      const { dashboards, secret } = await startReplicas(2, redis);
      const [a, b] = dashboards as [Dashboard, Dashboard];
      const browser = new FrontendClient(a.wsUrl);
      browsers.push(browser);
      await browser.open();

      const first = connectReporter(a.wsUrl, 'web-1', secret);
      await opened(first);
      sendReport(first, report('web-1', 1));
      await browser.waitFor((m) => m.serverId === 'web-1' && m.system.uptime === 1);
      await a.waitForLog((l) => l.msg === 'agent connected');

      // The newer connection on b closes the older on a; the server stays online (no offline in between).
      const second = connectReporter(b.wsUrl, 'web-1', secret);
      await opened(second);
      expect(await closed(first)).toEqual({ code: CloseCode.replaced, reason: 'replaced' });
      sendReport(second, report('web-1', 2));
      await browser.waitFor((m) => m.serverId === 'web-1' && m.system.uptime === 2);
      expect(browser.messages.filter((m) => m.info.serverId === 'web-1').every((m) => m.info.online)).toBe(
        true,
      );

      // And back: a third connection on a closes the one on b.
      const third = connectReporter(a.wsUrl, 'web-1', secret);
      await opened(third);
      expect(await closed(second)).toEqual({ code: CloseCode.replaced, reason: 'replaced' });
      sendReport(third, report('web-1', 3));
      await browser.waitFor((m) => m.serverId === 'web-1' && m.system.uptime === 3);

      // The current connection closing is offline on both replicas, at once.
      const viaB = new FrontendClient(b.wsUrl);
      browsers.push(viaB);
      await viaB.open();
      await viaB.waitFor((m) => m.serverId === 'web-1' && m.online);
      third.close();
      await Promise.all([
        browser.waitFor((m) => m.serverId === 'web-1' && !m.online, 3_000),
        viaB.waitFor((m) => m.serverId === 'web-1' && !m.online, 3_000),
      ]);

      // A removal on one replica removes it on the other.
      const res = await fetch(`${b.url}/api/servers/web-1`, {
        method: 'DELETE',
        headers: { 'X-AUTH-SECRET': secret },
        signal: AbortSignal.timeout(5_000),
      });
      expect(res.status).toBe(204);
      await browser.waitFor((m) => m.serverId === 'web-1' && m.removed === true, 3_000);
      expect(await servers(a)).toEqual([]);
    },
    60_000,
  );

  it.skipIf(needs || !redisCliPath)(
    'a malformed server state, on the bus or in the state hash, is dropped and counted; the replicas stay up',
    async () => {
      redis = await startRedis();
      const port = String(redis.port);
      const cli = (...args: string[]) =>
        spawnSync(redisCliPath as string, ['-p', port, ...args], { encoding: 'utf8', timeout: 5_000 });
      // A bad entry in the hash, as a broken replica would have left it: adopted at every start before.
      const bad = { serverId: 'bad-1', online: true, lastSeen: Date.now() / 1000 };
      expect(cli('HSET', 'sss:servers', 'bad-1', JSON.stringify(bad)).status).toBe(0);
      const { dashboards, secret } = await startReplicas(2, redis);
      const agent = new SimAgent((dashboards[0] as Dashboard).wsUrl, 'good-1', secret);
      agents.push(agent);
      agent.start();
      await eventually(() => allAgree(dashboards, ['good-1']), 10_000, 'both replicas list good-1 only');

      // A bad report on the bus, as if another replica had published it.
      const view = JSON.stringify({ serverId: 'bad-2', online: true, lastSeen: Date.now() / 1000 });
      expect(cli('PUBLISH', 'sss:bus', `r\tdash-x\t${Date.now()}\t${view}`).stdout.trim()).toBe('2');
      const invalid = async (d: Dashboard, source: string) => {
        const samples = await scrape(d.url);
        return samples.some((s) => s.name === 'sss_bus_invalid_states_total' && s.labels.source === source)
          ? sampleValue(samples, 'sss_bus_invalid_states_total', { source })
          : 0;
      };
      await eventually(
        async () => (await Promise.all(dashboards.map((d) => invalid(d, 'report')))).every((v) => v === 1),
        5_000,
        'both replicas count the bad report',
      );
      // Alert rules are evaluated every second: a bad state in the hub made them reject, and the process exit.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      for (const d of dashboards) {
        expect(d.child.exitCode).toBeNull();
        expect(await invalid(d, 'hash')).toBe(1);
        expect((await servers(d)).map((s) => s.serverId)).toEqual(['good-1']);
        await d.waitForLog((l) => l.msg?.includes('fails validation') === true, 1_000);
      }
    },
    40_000,
  );
});
