// Fan-out: the dashboard in its own process, simulated agents and browsers in processes of their own, on this
// machine, beside two reference rows measured in the same invocation on the same load: a bare relay
// (bench/fanout-relay.ts) and the dashboard as it was before issue 12 (built from git at BEFORE). Per row: CPU
// seconds per 1,000 reports (user and system apart) and its ratio to the relay's, write system calls per second
// (/proc/<pid>/io syscw), delivery latency p50/p99/max (agent send to browser receipt), messages lost, peak RSS.
//
// A fourth row, store, is this dashboard with its history store on (SSS_DATA_DIR in a fresh temporary folder);
// the row after it compares its p99 and CPU with the dashboard row's (the store off).
//
// SSS_BENCH_LOADS=1000x10,5000x50 picks the loads (agents x browsers), SSS_BENCH_ROWS=relay,before,dashboard,store the
// rows, SSS_BENCH_RUNS=3 repeats each load with the rows alternating, SSS_BENCH_WINDOW=30 the measured seconds,
// SSS_BENCH_PROFILE=<dir> runs every server with --cpu-prof into that folder (summarise with
// `npx tsx bench/profile-top.ts <file>`), SSS_BENCH_BEFORE=<commit> another reference build.
// SSS_BENCH_REPLICAS=3 runs the replicas mode instead (bench/fanout-replicas.ts).
import { type ChildProcess, execFileSync, execSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { collect, openWindow, sleep, startSimulators, wallNow } from './simulators';
import {
  cpuTimes,
  histogramQuantile,
  LATENCY_BUCKET_MS,
  LATENCY_BUCKETS,
  mebibytes,
  peakRssBytes,
  writeCalls,
} from './stats';

const INTERVAL_MS = 5_000;
const AGENT_PROCESSES = 2;
const FRONTEND_PROCESSES = 2;
/** Measured after one full interval of warm-up. */
const WINDOW_MS = Number(process.env.SSS_BENCH_WINDOW ?? 30) * 1000;
/** After the window, time for what was sent in it to arrive. */
const GRACE_MS = 2_000;
const LOADS = (process.env.SSS_BENCH_LOADS ?? '1000x10,5000x50,10000x100').split(',').map((load) => {
  const [agents, browsers] = load.split('x').map(Number);
  return { agents: agents ?? 0, browsers: browsers ?? 0 };
});
const ROW_NAMES = ['relay', 'before', 'dashboard', 'store'] as const;
type RowName = (typeof ROW_NAMES)[number];
const ROWS = (process.env.SSS_BENCH_ROWS ?? ROW_NAMES.join(',')).split(',') as RowName[];
const RUNS = Number(process.env.SSS_BENCH_RUNS ?? 1);
/** The dashboard before issue 12 (coalesced writes): the parent of its first commit. */
const BEFORE = process.env.SSS_BENCH_BEFORE ?? 'ba8a48ad051ebaa0cc5e5c9a15013d44b8713497';
const PROFILE_DIR = process.env.SSS_BENCH_PROFILE;

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/**
 * The dashboard at BEFORE, built once into a temporary folder from `git archive` (the checkout stays as it is):
 * its own protocol and dashboard sources, this checkout's installed packages.
 */
function buildBefore(): string {
  const dir = join(tmpdir(), `sss-bench-before-${BEFORE.slice(0, 12)}`);
  const main = join(dir, 'dashboard/dist/main.js');
  if (existsSync(main)) return main;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'node_modules/@sss'), { recursive: true });
  execSync(
    `git -C ${repoRoot} archive ${BEFORE} protocol dashboard scripts package.json tsconfig.base.json | tar -x -C ${dir}`,
  );
  for (const name of readdirSync(join(repoRoot, 'node_modules'))) {
    if (name !== '@sss') symlinkSync(join(repoRoot, 'node_modules', name), join(dir, 'node_modules', name));
  }
  symlinkSync('../../protocol', join(dir, 'node_modules/@sss/protocol'));
  execFileSync(process.execPath, ['../scripts/bundle.mjs'], {
    cwd: join(dir, 'dashboard'),
    stdio: 'inherit',
  });
  return main;
}

interface Server {
  child: ChildProcess;
  port: number;
  secret: string;
  /** The store row's data folder, removed when it stops. */
  dataDir?: string;
}

async function startServer(row: RowName, label: string): Promise<Server> {
  const secret = randomBytes(16).toString('hex');
  const program =
    row === 'relay'
      ? ['--import', 'tsx', join(repoRoot, 'bench/fanout-relay.ts')]
      : ['--enable-source-maps', row === 'before' ? buildBefore() : join(repoRoot, 'dashboard/dist/main.js')];
  const profile = PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${label}.cpuprofile`]
    : [];
  const uiDir = join(repoRoot, 'ui/dist');
  const dataDir = row === 'store' ? mkdtempSync(join(tmpdir(), 'sss-bench-store-')) : undefined;
  const child = spawn(process.execPath, [...profile, ...program], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      SSS_HOST: '127.0.0.1',
      SSS_PORT: '0',
      SSS_AUTH_SECRET: secret,
      SSS_LOG_LEVEL: 'info',
      SSS_KUBERNETES: 'off',
      // Every simulated agent and browser connects from 127.0.0.1: lift the per-address cap (1,024 by default).
      SSS_MAX_CONNECTIONS_PER_ADDRESS: '1000000',
      ...(existsSync(uiDir) ? { SSS_UI_DIR: uiDir } : {}),
      ...(dataDir ? { SSS_DATA_DIR: dataDir } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${row} exited with ${code} before listening`)));
    // Every line is read (and dropped) so the server never blocks on a full pipe.
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      if (!text.includes('"listening"')) return;
      resolve(Number((JSON.parse(text) as { port: number }).port));
    });
  });
  return { child, port, secret, ...(dataDir ? { dataDir } : {}) };
}

async function stopServer(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM'); // a normal exit, so that --cpu-prof writes its profile
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
  if (server.dataDir) rmSync(server.dataDir, { recursive: true, force: true });
}

interface Result {
  row: RowName;
  reports: number;
  reportsPerSecond: number;
  /** CPU milliseconds per 1,000 reports. */
  user: number;
  system: number;
  writesPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  lost: number;
  peakRss: number;
}

async function measure(row: RowName, agents: number, browsers: number, label: string): Promise<Result> {
  const server = await startServer(row, label);
  const pid = server.child.pid ?? 0;
  let children: ChildProcess[] = [];
  try {
    children = await startSimulators({
      ports: [server.port],
      secret: server.secret,
      agents,
      browsers,
      agentProcesses: AGENT_PROCESSES,
      browserProcesses: FRONTEND_PROCESSES,
      intervalMs: INTERVAL_MS,
    });
    await sleep(INTERVAL_MS);

    const { from, to } = openWindow(children, WINDOW_MS);
    await sleep(from - wallNow());
    const cpuStart = cpuTimes(pid);
    const writesStart = writeCalls(pid);
    await sleep(to - wallNow());
    const cpuEnd = cpuTimes(pid);
    const writesEnd = writeCalls(pid);
    await sleep(GRACE_MS);
    const { reports, received, histogram, maxLatency } = await collect(children);
    const peakRss = peakRssBytes(pid);
    const perThousand = 1000 / Math.max(1, reports);
    return {
      row,
      reports,
      reportsPerSecond: reports / (WINDOW_MS / 1000),
      user: (cpuEnd.user - cpuStart.user) * 1000 * perThousand,
      system: (cpuEnd.system - cpuStart.system) * 1000 * perThousand,
      writesPerSecond: (writesEnd - writesStart) / (WINDOW_MS / 1000),
      p50: histogramQuantile(histogram, 0.5),
      p99: histogramQuantile(histogram, 0.99),
      max: maxLatency,
      lost: reports * browsers - received,
      peakRss,
    };
  } finally {
    for (const c of children) c.kill();
    await stopServer(server);
  }
}

const pad = (text: string, width: number) => text.padEnd(width);
/** A latency, ms; the histogram ends at 10 s, so a quantile past it reads ">10 s". */
const ms = (value: number) => (value >= LATENCY_BUCKETS * LATENCY_BUCKET_MS ? '>10 s' : value.toFixed(1));

function print(r: Result, relay: Result | undefined): void {
  const cpu = r.user + r.system;
  const ratio = relay ? `${(cpu / (relay.user + relay.system)).toFixed(2)}x` : '';
  console.log(
    `${pad(r.row, 10)} ${pad(r.reportsPerSecond.toFixed(0), 7)} ${pad(r.user.toFixed(0), 6)} ${pad(r.system.toFixed(0), 6)} ` +
      `${pad(cpu.toFixed(0), 6)} ${pad(ratio, 7)} ${pad(r.writesPerSecond.toFixed(0), 9)} ${pad(ms(r.p50), 7)} ` +
      `${pad(ms(r.p99), 7)} ${pad(r.max.toFixed(1), 8)} ${pad(String(r.lost), 7)} ${mebibytes(r.peakRss)}`,
  );
}

export async function run(): Promise<void> {
  if (process.env.SSS_BENCH_REPLICAS) return (await import('./fanout-replicas')).run();
  console.log(
    `interval ${INTERVAL_MS / 1000} s, window ${WINDOW_MS / 1000} s, ${RUNS} run(s) per load; before = ${BEFORE.slice(0, 12)}; ` +
      'CPU in ms per 1,000 reports; latency = agent send to browser receipt, ms',
  );
  if (ROWS.includes('before')) buildBefore();
  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
  for (const { agents, browsers } of LOADS) {
    console.log(`\n${agents} agents x ${browsers} browsers`);
    console.log(
      'row        rep/s   user   system total  /relay  writes/s  p50     p99     max      lost    peak RSS',
    );
    const all: Result[] = [];
    for (let runIndex = 0; runIndex < RUNS; runIndex++) {
      // Alternate the order between runs, so no row always runs first on a freshly idle machine.
      const order = runIndex % 2 === 0 ? ROWS : [...ROWS].reverse();
      const results: Result[] = [];
      for (const row of order) {
        results.push(await measure(row, agents, browsers, `${row}-${agents}x${browsers}-${runIndex + 1}`));
      }
      const relay = results.find((r) => r.row === 'relay');
      for (const row of ROWS) {
        const r = results.find((x) => x.row === row);
        if (r) print(r, relay);
      }
      const off = results.find((r) => r.row === 'dashboard');
      const on = results.find((r) => r.row === 'store');
      if (off && on) {
        console.log(
          `store on / off: p99 ${(on.p99 / off.p99).toFixed(2)}x, p50 ${(on.p50 / off.p50).toFixed(2)}x, ` +
            `CPU ${((on.user + on.system) / (off.user + off.system)).toFixed(2)}x`,
        );
      }
      all.push(...results);
    }
    if (RUNS > 1) {
      const mean = (row: RowName) => {
        const rs = all.filter((r) => r.row === row);
        return rs.reduce((s, r) => s + r.user + r.system, 0) / rs.length;
      };
      const relayMean = ROWS.includes('relay') ? mean('relay') : Number.NaN;
      for (const row of ROWS) {
        console.log(
          `mean ${pad(row, 10)} ${mean(row).toFixed(0)} ms per 1,000 reports, ${(mean(row) / relayMean).toFixed(2)}x the relay`,
        );
      }
    }
  }
}
