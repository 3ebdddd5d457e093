// Fan-out: the dashboard in its own process, simulated agents and browsers in processes of their own, on this
// machine. Prints, per agent count: messages in/out per second, delivery latency p50/p99/max (agent send to
// browser receipt), the dashboard's CPU % and peak RSS. Then the largest agent count whose p99 stays under 100 ms.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Dashboard, startDashboard, stopAll } from '../e2e/support/processes';
import { cpuSeconds, mebibytes, peakRssBytes, quantile } from './stats';

const INTERVAL_MS = 5_000;
const FRONTENDS = 10;
const AGENT_PROCESSES = 2;
const FRONTEND_PROCESSES = 2;
/** Measured after one full interval of warm-up. */
const WINDOW_MS = 30_000;
const AGENT_COUNTS = (process.env.SSS_BENCH_AGENTS ?? '1000,2000,5000,10000,15000').split(',').map(Number);

function child(file: string, options: object): Promise<ChildProcess> {
  const proc = fork(fileURLToPath(new URL(file, import.meta.url)), [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${file} exited with ${code} before it was ready`)));
    proc.on('message', (m: { type: string }) => {
      if (m.type === 'ready') resolve(proc);
    });
  });
}

function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

interface Result {
  agents: number;
  inPerSecond: number;
  outPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  cpuPercent: number;
  peakRss: number;
}

async function measure(agents: number): Promise<Result> {
  const dashboard: Dashboard = await startDashboard({ SSS_LOG_LEVEL: 'info' });
  const children: ChildProcess[] = [];
  try {
    const frontendsUrl = `${dashboard.wsUrl}/ws-frontend`;
    for (const count of split(FRONTENDS, FRONTEND_PROCESSES)) {
      children.push(await child('./fanout-frontends.ts', { url: frontendsUrl, count }));
    }
    let first = 0;
    const agentProcs = await Promise.all(
      split(agents, AGENT_PROCESSES).map((count) => {
        const options = {
          url: `${dashboard.wsUrl}/ws-report`,
          secret: dashboard.secret,
          first,
          count,
          intervalMs: INTERVAL_MS,
        };
        first += count;
        return child('./fanout-agents.ts', options);
      }),
    );
    children.push(...agentProcs);
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));

    const pid = dashboard.child.pid ?? 0;
    for (const p of children) p.send({ type: 'start' });
    const cpuStart = cpuSeconds(pid);
    const start = performance.now();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    type Counts = { type: string; sent?: number; received?: number; latencies?: number[] };
    const stop = (p: ChildProcess) =>
      new Promise<Counts>((resolve) => {
        p.on('message', (m: Counts) => {
          if (m.type === 'result') resolve(m);
        });
        p.send({ type: 'stop' });
      });
    const results = await Promise.all(children.map(stop));
    const seconds = (performance.now() - start) / 1000;
    const cpuPercent = ((cpuSeconds(pid) - cpuStart) / seconds) * 100;
    const sum = (pick: (r: (typeof results)[0]) => number | undefined) =>
      results.reduce((total, r) => total + (pick(r) ?? 0), 0);
    const latencies = Float64Array.from(results.flatMap((r) => r.latencies ?? [])).sort();
    return {
      agents,
      inPerSecond: sum((r) => r.sent) / seconds,
      outPerSecond: sum((r) => r.received) / seconds,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      max: quantile(latencies, 1),
      cpuPercent,
      peakRss: peakRssBytes(pid),
    };
  } finally {
    for (const c of children) c.kill();
    await stopAll();
  }
}

export async function run(): Promise<void> {
  console.log(
    `interval ${INTERVAL_MS / 1000} s, ${FRONTENDS} frontends, window ${WINDOW_MS / 1000} s; latency = agent send to browser receipt`,
  );
  console.log('agents  in/s     out/s     p50 ms  p99 ms  max ms  dashboard CPU  peak RSS');
  let largestUnder100 = 0;
  for (const agents of AGENT_COUNTS) {
    const r = await measure(agents);
    console.log(
      `${String(r.agents).padEnd(7)} ${r.inPerSecond.toFixed(0).padEnd(8)} ${r.outPerSecond.toFixed(0).padEnd(9)} ` +
        `${r.p50.toFixed(1).padEnd(7)} ${r.p99.toFixed(1).padEnd(7)} ${r.max.toFixed(1).padEnd(7)} ` +
        `${`${r.cpuPercent.toFixed(1)} %`.padEnd(14)} ${mebibytes(r.peakRss)}`,
    );
    if (r.p99 < 100) largestUnder100 = Math.max(largestUnder100, agents);
  }
  console.log(`largest agent count with p99 < 100 ms: ${largestUnder100 || 'none of those tried'}`);
}
