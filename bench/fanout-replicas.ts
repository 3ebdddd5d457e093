// Fan-out over replicas (`SSS_BENCH_REPLICAS=3 npm run bench fanout`): the same agents and browsers against one
// dashboard, then against REPLICAS dashboards sharing one redis-server (agents and browsers spread evenly, as the
// Service would), in the same invocation. Rows:
// - single: one dashboard, every browser on it (the baseline);
// - replicas: each replica's CPU per 1,000 reports (every replica applies every report: its agents' directly, the
//   others' from the bus), redis-server's, and the delay from an agent's send to the browsers' receipt on every
//   replica (most reports cross the bus);
// - alone: one dashboard without Redis carrying one replica's share of the browsers and every agent. It applies and
//   pushes the same reports to the same browsers as a replica, so a replica's CPU above it is what the bus costs.
// SSS_BENCH_AGENTS (5000), SSS_BENCH_BROWSERS (150), SSS_BENCH_WINDOW (30 s) change the load.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type RedisServer, startRedis } from '../e2e/support/redis';
import { collect, openWindow, sleep, startSimulators, wallNow } from './simulators';
import { cpuTimes, histogramQuantile, mebibytes, peakRssBytes } from './stats';

const INTERVAL_MS = 5_000;
const REPLICAS = Number(process.env.SSS_BENCH_REPLICAS ?? 3);
const AGENTS = Number(process.env.SSS_BENCH_AGENTS ?? 5000);
const BROWSERS = Number(process.env.SSS_BENCH_BROWSERS ?? 150);
const WINDOW_MS = Number(process.env.SSS_BENCH_WINDOW ?? 30) * 1000;
const GRACE_MS = 2_000;
/** Agent and browser processes in every row, so the simulators load the shared CPUs the same way. */
const SIMULATORS = 3;

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

interface Dashboard {
  child: ChildProcess;
  port: number;
}

async function startDashboard(secret: string, env: Record<string, string>): Promise<Dashboard> {
  const uiDir = join(repoRoot, 'ui/dist');
  const proc = spawn(process.execPath, ['--enable-source-maps', join(repoRoot, 'dashboard/dist/main.js')], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      SSS_HOST: '127.0.0.1',
      SSS_PORT: '0',
      SSS_AUTH_SECRET: secret,
      SSS_LOG_LEVEL: 'info',
      SSS_KUBERNETES: 'off',
      SSS_MAX_CONNECTIONS_PER_ADDRESS: '1000000',
      ...(existsSync(uiDir) ? { SSS_UI_DIR: uiDir } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`dashboard exited with ${code} before listening`)));
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      if (text.includes('"listening"')) resolve(Number((JSON.parse(text) as { port: number }).port));
    });
  });
  return { child: proc, port };
}

async function stopDashboard(dashboard: Dashboard): Promise<void> {
  const exited = new Promise((resolve) => dashboard.child.once('exit', resolve));
  dashboard.child.kill('SIGTERM');
  const timer = setTimeout(() => dashboard.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** A bus counter summed over its series, from a replica's /metrics. */
async function busCounter(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) if (line.startsWith(name)) total += Number(line.split(' ').pop());
  return total;
}

type CpuTimes = ReturnType<typeof cpuTimes>;

interface Row {
  name: string;
  reports: number;
  /** CPU ms per 1,000 reports of each dashboard. */
  perDashboard: number[];
  redis?: number;
  p50: number;
  p99: number;
  max: number;
  lost: number;
  peakRss: number[];
  busReceived?: number;
}

/** One row: the agents and `browsers` split evenly over `dashboards`; redis-server's CPU too when its pid is given. */
async function measure(
  name: string,
  dashboards: Dashboard[],
  browsers: number,
  secret: string,
  redisPid?: number,
): Promise<Row> {
  let children: ChildProcess[] = [];
  try {
    children = await startSimulators({
      ports: dashboards.map((d) => d.port),
      secret,
      agents: AGENTS,
      browsers,
      agentProcesses: Math.max(SIMULATORS, dashboards.length),
      browserProcesses: Math.max(SIMULATORS, dashboards.length),
      intervalMs: INTERVAL_MS,
    });
    await sleep(INTERVAL_MS);
    const { from, to } = openWindow(children, WINDOW_MS);
    await sleep(from - wallNow());
    const pids = dashboards.map((d) => d.child.pid ?? 0);
    const cpuStart = pids.map(cpuTimes);
    const redisStart = redisPid ? cpuTimes(redisPid) : undefined;
    const busStart = redisPid
      ? await Promise.all(dashboards.map((d) => busCounter(d.port, 'sss_bus_messages_received_total')))
      : [];
    await sleep(to - wallNow());
    const cpuEnd = pids.map(cpuTimes);
    const redisEnd = redisPid ? cpuTimes(redisPid) : undefined;
    const busEnd = redisPid
      ? await Promise.all(dashboards.map((d) => busCounter(d.port, 'sss_bus_messages_received_total')))
      : [];
    await sleep(GRACE_MS);
    const { reports, received, histogram, maxLatency } = await collect(children);
    const perThousand = (start: CpuTimes, end: CpuTimes) =>
      ((end.user + end.system - start.user - start.system) * 1000 * 1000) / Math.max(1, reports);
    return {
      name,
      reports,
      perDashboard: pids.map((_, i) => perThousand(cpuStart[i] as CpuTimes, cpuEnd[i] as CpuTimes)),
      ...(redisStart && redisEnd ? { redis: perThousand(redisStart, redisEnd) } : {}),
      p50: histogramQuantile(histogram, 0.5),
      p99: histogramQuantile(histogram, 0.99),
      max: maxLatency,
      lost: reports * browsers - received,
      peakRss: pids.map(peakRssBytes),
      ...(redisPid ? { busReceived: busEnd.reduce((t, n, i) => t + n - (busStart[i] ?? 0), 0) } : {}),
    };
  } finally {
    for (const c of children) c.kill();
  }
}

async function single(name: string, browsers: number): Promise<Row> {
  const secret = randomBytes(16).toString('hex');
  const dashboard = await startDashboard(secret, {});
  try {
    return await measure(name, [dashboard], browsers, secret);
  } finally {
    await stopDashboard(dashboard);
  }
}

async function replicas(): Promise<Row> {
  const secret = randomBytes(16).toString('hex');
  const redis: RedisServer = await startRedis();
  const dashboards: Dashboard[] = [];
  try {
    const prefix = `bench-${randomBytes(3).toString('hex')}`;
    for (let i = 0; i < REPLICAS; i++) {
      dashboards.push(
        await startDashboard(secret, {
          SSS_REDIS_URL: redis.url,
          SSS_REDIS_PREFIX: prefix,
          SSS_REPLICA_ID: `bench-replica-${i + 1}`,
        }),
      );
    }
    return await measure(`replicas`, dashboards, BROWSERS, secret, redis.pid());
  } finally {
    for (const d of dashboards) await stopDashboard(d);
    await redis.close();
  }
}

const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);

function print(row: Row, baseline: Row): void {
  const each = row.perDashboard.map((v) => v.toFixed(0)).join(' / ');
  const ratio = (mean(row.perDashboard) / mean(baseline.perDashboard)).toFixed(2);
  const total = row.perDashboard.reduce((s, v) => s + v, 0) + (row.redis ?? 0);
  console.log(
    `${row.name.padEnd(9)} ${String(row.reports).padEnd(7)} ${each.padEnd(20)} ${`${ratio}x`.padEnd(7)} ` +
      `${(row.redis === undefined ? '' : row.redis.toFixed(0)).padEnd(6)} ${total.toFixed(0).padEnd(6)} ` +
      `${row.p50.toFixed(1).padEnd(7)} ${row.p99.toFixed(1).padEnd(7)} ${row.max.toFixed(1).padEnd(8)} ` +
      `${String(row.lost).padEnd(6)} ${row.peakRss.map(mebibytes).join(' / ')}`,
  );
}

export async function run(): Promise<void> {
  const share = Math.round(BROWSERS / REPLICAS);
  console.log(
    `${AGENTS} agents every ${INTERVAL_MS / 1000} s, ${BROWSERS} browsers; ${REPLICAS} replicas sharing one redis-server ` +
      `against 1 dashboard; window ${WINDOW_MS / 1000} s; CPU in ms per 1,000 reports (user + system) per dashboard; ` +
      'latency = agent send to browser receipt, ms',
  );
  const baseline = await single('single', BROWSERS);
  const shared = await replicas();
  const alone = await single('alone', share);
  console.log(
    '\nrow       reports CPU each             /single redis  total  p50     p99     max      lost   peak RSS',
  );
  for (const row of [baseline, shared, alone]) print(row, baseline);
  const replica = mean(shared.perDashboard);
  const aloneCpu = mean(alone.perDashboard);
  console.log(
    `\nbus: a replica with ${share} browsers uses ${replica.toFixed(0)} ms per 1,000 reports, ${aloneCpu.toFixed(0)} ` +
      `without the bus (one dashboard, every agent, ${share} browsers): the bus's share is ` +
      `${(((replica - aloneCpu) / replica) * 100).toFixed(0)} % of a replica's CPU, plus redis-server's ` +
      `${shared.redis?.toFixed(0)} ms; bus messages received ${shared.busReceived} ` +
      `(${((shared.busReceived ?? 0) / Math.max(1, shared.reports)).toFixed(2)} per report)`,
  );
  console.log(
    `replicas / single: CPU per replica ${(replica / mean(baseline.perDashboard)).toFixed(2)}x, all replicas and ` +
      `redis ${((shared.perDashboard.reduce((s, v) => s + v, 0) + (shared.redis ?? 0)) / mean(baseline.perDashboard)).toFixed(2)}x; ` +
      `p99 ${(shared.p99 / baseline.p99).toFixed(2)}x`,
  );
}
