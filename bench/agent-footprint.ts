// Agent footprint: the real agent reporting this machine to a real dashboard at a short interval, so many cycles
// fit in a short run. Prints peak RSS, CPU milliseconds per cycle (and what that is at the default 5 s), and the
// child processes spawned after start-up, counted by strace in a second run (tracing slows the process, so the
// CPU figure comes from the untraced run).
//
// SSS_BENCH_NODE_FLAGS="--enable-source-maps;--max-semi-space-size=1" runs the agent once per set of Node flags
// (sets separated by ";", flags in a set by spaces; "-" for none) and prints one line per set; the default is the
// command line of the chart, the image and the systemd unit. SSS_BENCH_AGENT_MAIN measures another build of the
// agent (an older one, for a before/after on the same machine).
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrontendClient } from '../e2e/support/clients';
import { agentMain } from '../e2e/support/paths';
import { type Dashboard, Program, startDashboard, stopAll } from '../e2e/support/processes';
import { childrenOf, processEvents, startTraced } from '../e2e/support/spawn-trace';
import { findTool } from '../e2e/support/tools';
import { cpuSeconds, mebibytes, peakRssBytes } from './stats';

const INTERVAL_SECONDS = 0.1;
const CYCLES = Number(process.env.SSS_BENCH_AGENT_CYCLES ?? 300);
const MAIN = process.env.SSS_BENCH_AGENT_MAIN ?? agentMain;
/** The Node flags of agent-daemonset.yaml, Dockerfile.agent and deploy/systemd/sss-agent.service. */
export const DEPLOYED_NODE_FLAGS = ['--lite-mode'];
const FLAG_SETS = (process.env.SSS_BENCH_NODE_FLAGS ?? DEPLOYED_NODE_FLAGS.join(' ')).split(';').map((set) =>
  set
    .trim()
    .split(/\s+/)
    .filter((f) => f !== '' && f !== '-'),
);

/** The agent as the deployments start it: node, the given flags, the bundle. */
function startAgentWith(dashboard: Dashboard, flags: string[], env: Record<string, string>): Program {
  const child = spawn(process.execPath, [...flags, MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      SSS_DASHBOARD_URL: `${dashboard.wsUrl}/ws-report`,
      SSS_AUTH_SECRET: dashboard.secret,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Program('agent', child);
}

function residentBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
}

/** Waits until the agent is connected and has reported once, then one more second for start-up to settle. */
async function started(agent: Program, watcher: FrontendClient, id: string): Promise<void> {
  await agent.waitForLog((l) => l.msg === 'connected', 20_000);
  await watcher.waitFor((m) => m.serverId === id, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}

/** Runs `cycles` report cycles; returns their count and the wall time they took. */
async function cyclesOf(watcher: FrontendClient, id: string, cycles: number) {
  const from = watcher.messages.length;
  const count = () => watcher.messages.slice(from).filter((m) => m.info.serverId === id).length;
  const startedAt = performance.now();
  await watcher.waitFor(() => count() >= cycles, cycles * INTERVAL_SECONDS * 1000 * 4 + 10_000, from);
  return { cycles: count(), seconds: (performance.now() - startedAt) / 1000 };
}

const env = { SSS_HEALTH_PORT: '0', SSS_INTERVAL: String(INTERVAL_SECONDS), SSS_LOG_LEVEL: 'info' };

async function untraced(dashboard: Dashboard, watcher: FrontendClient, flags: string[], n: number) {
  const id = `bench-agent-${n}`;
  const agent = startAgentWith(dashboard, flags, { ...env, SSS_SERVER_ID: id });
  await started(agent, watcher, id);
  const pid = agent.child.pid ?? 0;
  const cpuBefore = cpuSeconds(pid);
  const rssAfterStart = residentBytes(pid);
  const children = new Set<number>();
  const poll = setInterval(() => {
    for (const child of childrenOf(pid)) children.add(child);
  }, 10);
  const run = await cyclesOf(watcher, id, CYCLES);
  clearInterval(poll);
  const cpuMs = (cpuSeconds(pid) - cpuBefore) * 1000;
  const result = {
    ...run,
    cpuMs,
    rssAfterStart,
    peakRss: peakRssBytes(pid),
    rssEnd: residentBytes(pid),
    children,
  };
  await agent.stop();
  return result;
}

async function traced(strace: string, dashboard: Dashboard, watcher: FrontendClient) {
  const id = 'bench-agent-traced';
  const traceFile = join(tmpdir(), `sss-bench-agent-trace-${process.pid}.txt`);
  const agent = startTraced(
    strace,
    'traced agent',
    MAIN,
    {
      ...env,
      SSS_DASHBOARD_URL: `${dashboard.wsUrl}/ws-report`,
      SSS_AUTH_SECRET: dashboard.secret,
      SSS_SERVER_ID: id,
    },
    traceFile,
  );
  try {
    await started(agent, watcher, id);
    const windowStart = Date.now() / 1000;
    const run = await cyclesOf(watcher, id, Math.min(CYCLES, 100));
    const windowEnd = Date.now() / 1000;
    await agent.stopTraced();
    const events = processEvents(readFileSync(traceFile, 'utf8'));
    return {
      cycles: run.cycles,
      // The agent's own execve is the first event; everything else before the window is start-up.
      atStartUp: events.filter((e) => e.at < windowStart).length - 1,
      afterStartUp: events.filter((e) => e.at >= windowStart && e.at <= windowEnd).length,
    };
  } finally {
    await agent.stopTraced();
    rmSync(traceFile, { force: true });
  }
}

export async function run(): Promise<void> {
  const dashboard = await startDashboard();
  const watcher = new FrontendClient(dashboard.wsUrl);
  await watcher.open();
  try {
    console.log(`agent                      ${MAIN}`);
    for (const [n, flags] of FLAG_SETS.entries()) {
      const plain = await untraced(dashboard, watcher, flags, n);
      const perCycle = plain.cpuMs / plain.cycles;
      console.log(`node flags                 ${flags.join(' ') || '(none)'}`);
      console.log(
        `  cycles measured          ${plain.cycles} at ${INTERVAL_SECONDS} s (${plain.seconds.toFixed(1)} s)`,
      );
      console.log(
        `  peak RSS (VmHWM)         ${mebibytes(plain.peakRss)} (after start-up ${mebibytes(plain.rssAfterStart)}, at the end ${mebibytes(plain.rssEnd)})`,
      );
      console.log(`  CPU per cycle            ${perCycle.toFixed(2)} ms (user + system, /proc/<pid>/stat)`);
      console.log(`  CPU at the default 5 s   ${((perCycle / 5_000) * 100).toFixed(3)} % of one core`);
      console.log(`  children seen in /proc   ${plain.children.size} (polled every 10 ms)`);
    }
    const strace = findTool('strace');
    if (strace) {
      const t = await traced(strace, dashboard, watcher);
      console.log(
        `processes spawned, strace  ${t.afterStartUp} in ${t.cycles} cycles after start-up (${t.atStartUp} at start-up)`,
      );
    } else {
      console.log('processes spawned, strace  not measured: strace is missing');
    }
  } finally {
    watcher.close();
    await stopAll();
  }
}
