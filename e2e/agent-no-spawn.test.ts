// Issue 3, acceptance 4: after start-up the agent spawns no process, proven over many cycles by tracing every
// fork, vfork, non-thread clone and execve of the agent process with strace from its very first instruction,
// and by watching its children in /proc while the cycles run.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FrontendClient } from './support/clients';
import { agentMain, repoRoot } from './support/paths';
import { startDashboard, stopAll } from './support/processes';
import { childrenOf, processEvents, startTraced, type TracedProgram } from './support/spawn-trace';
import { findTool } from './support/tools';

const strace = findTool('strace');
const traced: TracedProgram[] = [];

describe.skipIf(!strace)('agent processes', () => {
  afterEach(async () => {
    await Promise.all(traced.splice(0).map((p) => p.stopTraced()));
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
    const agent = startTraced(
      strace ?? 'strace',
      'traced agent',
      agentMain,
      {
        SSS_DASHBOARD_URL: `${dashboard.wsUrl}/ws-report`,
        SSS_AUTH_SECRET: dashboard.secret,
        SSS_HEALTH_PORT: '0',
        SSS_INTERVAL: '0.1',
        SSS_SERVER_ID: id,
        ...env,
      },
      traceFile,
    );
    traced.push(agent);
    try {
      await agent.waitForLog((l) => l.msg === 'connected', 20_000);
      // Start-up is over once the first report arrived; give stray start-up children a second to finish.
      await watcher.waitFor((m) => m.serverId === id, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const agentPid = agent.tracedPid();
      expect(agentPid).toBeGreaterThan(0);
      const windowStart = Date.now() / 1000;
      const from = watcher.messages.length;
      const reports = () => watcher.messages.slice(from).filter((m) => m.info.serverId === id).length;

      const seenChildren = new Set<number>();
      const poll = setInterval(() => {
        for (const pid of childrenOf(agentPid)) seenChildren.add(pid);
      }, 20);
      await watcher.waitFor(() => reports() >= 70, 30_000, from);
      clearInterval(poll);
      const windowEnd = Date.now() / 1000;
      const cycles = reports();
      await agent.stopTraced();

      const events = processEvents(readFileSync(traceFile, 'utf8'));
      expect(cycles).toBeGreaterThanOrEqual(60);
      expect(events.filter((e) => e.at >= windowStart && e.at <= windowEnd)).toEqual([]);
      expect(events.filter((e) => e.at > windowEnd && e.pid === agentPid)).toEqual([]);
      expect(seenChildren.size).toBe(0);
      // The tracer does see spawns: the exec of the agent itself, and lscpu when systeminformation ran.
      const before = events.filter((e) => e.at < windowStart);
      expect(before.some((e) => e.call.startsWith('execve(') && e.call.includes(agentMain))).toBe(true);
      if (env.HOST_PROC !== undefined) expect(before.some((e) => e.call.includes('lscpu'))).toBe(true);
    } finally {
      rmSync(traceFile, { force: true });
    }
  });
});
