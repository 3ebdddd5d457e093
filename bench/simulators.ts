// The simulator processes every fan-out benchmark drives: agents (fanout-agents.ts) and browsers
// (fanout-frontends.ts), spread over the dashboards' ports, measured over one window of wall-clock time.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const wallNow = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Forks a simulator with its options and resolves once it says it is ready. */
export function child(file: string, options: object): Promise<ChildProcess> {
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

export function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

export interface Load {
  /** The dashboards' ports; the simulator processes take them in turn. */
  ports: number[];
  secret: string;
  agents: number;
  browsers: number;
  agentProcesses: number;
  browserProcesses: number;
  intervalMs: number;
}

/** Browsers first (so they receive the agents' first reports), then agents with consecutive ids. */
export async function startSimulators(load: Load): Promise<ChildProcess[]> {
  const port = (i: number) => load.ports[i % load.ports.length] as number;
  const children: ChildProcess[] = [];
  for (const [i, count] of split(load.browsers, load.browserProcesses).entries()) {
    children.push(await child('./fanout-frontends.ts', { port: port(i), count }));
  }
  let first = 0;
  const agents = await Promise.all(
    split(load.agents, load.agentProcesses).map((count, i) => {
      const options = {
        url: `ws://127.0.0.1:${port(i)}/ws-report`,
        secret: load.secret,
        first,
        count,
        intervalMs: load.intervalMs,
      };
      first += count;
      return child('./fanout-agents.ts', options);
    }),
  );
  return [...children, ...agents];
}

/** Tells every simulator the measured window, starting half a second from now; returns it (wall-clock ms). */
export function openWindow(children: ChildProcess[], windowMs: number): { from: number; to: number } {
  const from = wallNow() + 500;
  const to = from + windowMs;
  for (const p of children) p.send({ type: 'window', from, to });
  return { from, to };
}

export interface Totals {
  /** Reports sent in the window. */
  reports: number;
  /** Reports received by browsers in the window. */
  received: number;
  /** Send-to-receipt latency histogram, bucket → count. */
  histogram: Map<number, number>;
  maxLatency: number;
}

interface SimulatorResult {
  type: string;
  sent?: number;
  received?: number;
  histogram?: [number, number][];
  maxLatency?: number;
}

/** Stops every simulator and adds up what they counted in the window. */
export async function collect(children: ChildProcess[]): Promise<Totals> {
  const results = await Promise.all(
    children.map(
      (p) =>
        new Promise<SimulatorResult>((resolve) => {
          p.on('message', (m: SimulatorResult) => {
            if (m.type === 'result') resolve(m);
          });
          p.send({ type: 'stop' });
        }),
    ),
  );
  const histogram = new Map<number, number>();
  for (const r of results) {
    for (const [bucket, n] of r.histogram ?? []) histogram.set(bucket, (histogram.get(bucket) ?? 0) + n);
  }
  return {
    reports: results.reduce((total, r) => total + (r.sent ?? 0), 0),
    received: results.reduce((total, r) => total + (r.received ?? 0), 0),
    histogram,
    maxLatency: Math.max(...results.map((r) => r.maxLatency ?? 0)),
  };
}
