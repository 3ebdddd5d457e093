// Issue 3, acceptance 4: after start-up the agent spawns no process, proven over many cycles by tracing every
// fork, vfork, non-thread clone and execve of the agent process with strace from its very first instruction.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FrontendClient } from './support/clients';
import { agentMain, repoRoot } from './support/paths';
import { type Dashboard, Program, startDashboard, stopAll } from './support/processes';
import { findTool } from './support/tools';

const strace = findTool('strace');

interface Event {
  /** Unix seconds. */
  at: number;
  pid: number;
  line: string;
}

/** Process-creating events in an `strace -f -ttt` log; clones that create threads are not processes. */
function processEvents(log: string): Event[] {
  return log
    .split('\n')
    .map((line) => /^(\d+)\s+(\d+\.\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), at: Number(m[2]), line: m[3] ?? '' }))
    .filter(({ line }) => /^(execve|fork|vfork|clone3?)\(/.test(line) && !line.includes('CLONE_THREAD'))
    .filter(({ line }) => !line.includes('resumed>'));
}

/** Live children of a process, from /proc/<pid>/task/<tid>/children (every thread can be a parent). */
function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}

const traced: Program[] = [];

/** The agent under `strace -f`, from exec on; its own pid is strace's only child. */
function tracedAgent(dashboard: Dashboard, traceFile: string, env: Record<string, string>): Program {
  const child = spawn(
    strace ?? 'strace',
    [
      '-f',
      '-ttt',
      '-qq',
      '-e',
      'trace=execve,fork,vfork,clone,clone3',
      '-e',
      'signal=none',
      '-o',
      traceFile,
      process.execPath,
      agentMain,
    ],
    {
      env: {
        PATH: process.env.PATH ?? '',
        SSS_DASHBOARD_URL: `${dashboard.wsUrl}/ws-report`,
        SSS_AUTH_SECRET: dashboard.secret,
        SSS_HEALTH_PORT: '0',
        SSS_LOG_LEVEL: 'info',
        SSS_INTERVAL: '0.1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const program = new Program('traced agent', child);
  traced.push(program);
  return program;
}

describe.skipIf(!strace)('agent processes', () => {
  afterEach(async () => {
    await Promise.all(traced.splice(0).map((p) => p.stop('SIGTERM')));
    await stopAll();
  });

  it.each<[string, string, Record<string, string>]>([
    ['reading this machine', 'this-host', {}],
    [
      // cpuinfo without "model name" (ARM) makes the agent ask systeminformation, which runs lscpu at start-up.
      'starting with systeminformation (ARM cpuinfo fixture)',
      'si-host',
      { HOST_PROC: join(repoRoot, 'agent/fixtures/nvme-lvm-arm64/proc') },
    ],
  ])('spawns nothing after start-up over more than 60 report cycles, %s', async (_name, id, env) => {
    const dashboard = await startDashboard();
    const watcher = new FrontendClient(dashboard.wsUrl);
    await watcher.open();
    const traceFile = join(tmpdir(), `sss-agent-trace-${process.pid}-${id}.txt`);
    const agent = tracedAgent(dashboard, traceFile, { ...env, SSS_SERVER_ID: id });
    try {
      await agent.waitForLog((l) => l.msg === 'connected', 20_000);
      // Start-up is over once the first report arrived; give stray start-up children a second to finish.
      await watcher.waitFor((m) => m.serverId === id, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const agentPid = children(agent.child.pid ?? 0)[0];
      expect(agentPid).toBeGreaterThan(0);
      const windowStart = Date.now() / 1000;
      const firstInWindow = watcher.messages.length;

      // Watch the process table too while the cycles run: no child may ever appear.
      const seenChildren = new Set<number>();
      const poll = setInterval(() => {
        for (const pid of children(agentPid ?? 0)) seenChildren.add(pid);
      }, 20);
      await watcher.waitFor(
        () => watcher.messages.slice(firstInWindow).filter((m) => m.info.serverId === id).length >= 70,
        30_000,
        firstInWindow,
      );
      clearInterval(poll);
      const windowEnd = Date.now() / 1000;
      const cycles = watcher.messages.slice(firstInWindow).filter((m) => m.info.serverId === id).length;
      await agent.stop('SIGTERM');

      const events = processEvents(readFileSync(traceFile, 'utf8'));
      const during = events.filter((e) => e.at >= windowStart && e.at <= windowEnd);
      const before = events.filter((e) => e.at < windowStart);
      expect(cycles).toBeGreaterThanOrEqual(60);
      expect(during).toEqual([]);
      expect(seenChildren.size).toBe(0);
      // The tracer does see spawns: the exec of the agent itself, and lscpu when systeminformation ran.
      expect(before.some((e) => e.line.startsWith('execve(') && e.line.includes(agentMain))).toBe(true);
      if (env.HOST_PROC !== undefined) expect(before.some((e) => e.line.includes('lscpu'))).toBe(true);
      const after = events.filter((e) => e.at > windowEnd && e.pid === agentPid);
      expect(after).toEqual([]);
    } finally {
      rmSync(traceFile, { force: true });
    }
  });
});
