// Issue 3, acceptance 2, 6 and 7: the real agent process reporting this machine to a real dashboard process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FrontendServerInfo, SERVER_ID_RULE, validateServerInfo } from '@sss/protocol';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FrontendClient } from './support/clients';
import { agentMain } from './support/paths';
import { startOnFreePort, upOnPort } from './support/ports';
import { type Dashboard, startAgent, startDashboard, startProgram, stopAll } from './support/processes';

const sh = (script: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8' }).trim();

async function servers(dashboard: Dashboard): Promise<FrontendServerInfo[]> {
  const res = await fetch(`${dashboard.url}/api/servers`);
  expect(res.status).toBe(200);
  return (await res.json()) as FrontendServerInfo[];
}

const dir = mkdtempSync(join(tmpdir(), 'sss-e2e-agent-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('agent process', () => {
  afterEach(stopAll);

  it("reports this machine's real numbers: MemTotal, cpuN lines, /, uname -r, os-release ID, Go arch", async () => {
    const dashboard = await startDashboard();
    const watcher = new FrontendClient(dashboard.wsUrl);
    await watcher.open();
    const agent = startAgent(dashboard, { SSS_HEALTH_PORT: '0', SSS_INTERVAL: '1', SSS_GROUP: 'e2e' });
    await agent.waitForLog((l) => l.msg === 'connected');
    const id = hostname();
    // Two reports: the second has speeds over a full measured interval.
    const { info } = await watcher.waitFor((m) => m.serverId === id && m.network.inSpeed >= 0, 10_000, 1);

    expect(validateServerInfo(info)).toMatchObject({ ok: true });
    expect(info.memory.total).toBe(Number(sh("awk '/^MemTotal:/ {print $2}' /proc/meminfo")) * 1024);
    expect(info.memory.used).toBeGreaterThan(0);
    expect(info.cpu.cores).toBe(Number(sh("grep -c '^cpu[0-9]' /proc/stat")));
    expect(info.cpu.modelName).toBe(sh("sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1"));
    expect(info.disk.map((d) => d.path)).toContain('/');
    expect(info.disk.find((d) => d.path === '/')?.total).toBeGreaterThan(0);
    expect(info.system).toMatchObject({
      hostname: id,
      os: 'linux',
      kernel: sh('uname -r'),
      platform: sh('. /etc/os-release && echo "$ID"'),
      arch: { x86_64: 'amd64', aarch64: 'arm64' }[sh('uname -m')] ?? sh('uname -m'),
    });
    expect(info.system.uptime).toBeGreaterThan(0);
    expect(info).toMatchObject({ serverName: id, group: 'e2e', online: true });

    // The extension fields (DESIGN section 3) go through the dashboard to browsers and REST.
    expect(info.cpu.perCore).toHaveLength(info.cpu.cores);
    expect(info.cpu.load1).toBeGreaterThanOrEqual(0);
    expect(info.cpu.modes).toBeDefined();
    expect(info.memory.swapTotal).toBe(Number(sh("awk '/^SwapTotal:/ {print $2}' /proc/meminfo")) * 1024);
    expect(info.system.bootTime).toBe(Number(sh("awk '/^btime/ {print $2}' /proc/stat")));
    expect(info.system.processes).toBeGreaterThan(0);
    expect(info.network.interfaces?.map((i) => i.name)).toContain(info.network.interfaceName);
    expect(info.connections?.tcp).toBeGreaterThan(0); // at least the agent's own connection
    expect(info.disk.find((d) => d.path === '/')?.ioUtilPercent).toBeGreaterThanOrEqual(0);
    expect(Array.isArray(info.temperatures)).toBe(true);

    const listed = (await servers(dashboard)).find((s) => s.serverId === id);
    expect(listed?.online).toBe(true);
    expect(listed?.memory.total).toBe(info.memory.total);
    expect(listed?.connections).toBeDefined();
    expect(listed?.cpu.load15).toBe(info.cpu.load15);
  });

  it('comes back online by itself after the dashboard is killed and restarted on the same port', async () => {
    const first = await startDashboard();
    const agent = startAgent(first, { SSS_HEALTH_PORT: '0', SSS_INTERVAL: '0.5', SSS_SERVER_ID: 'phoenix' });
    await agent.waitForLog((l) => l.msg === 'connected');
    await first.stop('SIGKILL');
    await agent.waitForLog((l) => l.msg === 'disconnected');
    const disconnected = agent.lines.find((l) => l.msg === 'disconnected');
    expect(disconnected).toMatchObject({ code: 1006 });
    // The first retry is 3 s less up to 20 % jitter; while nothing listens, the delays grow by 1.2.
    expect(Number(disconnected?.retryInMs)).toBeGreaterThanOrEqual(2_400);
    expect(Number(disconnected?.retryInMs)).toBeLessThanOrEqual(3_000);
    // Down until a retry has failed (a fixed 4 s was one second past the first retry, less on a busy machine).
    await agent.waitForLog((l) => l.msg === 'connection failed', 15_000);

    const second = await startDashboard({ SSS_PORT: String(first.port), SSS_AUTH_SECRET: first.secret });
    const watcher = new FrontendClient(second.wsUrl);
    await watcher.open();
    await watcher.waitFor((m) => m.serverId === 'phoenix' && m.online, 15_000);
    expect(agent.lines.filter((l) => l.msg === 'connected')).toHaveLength(2);
    expect(agent.child.exitCode).toBeNull();
    const failures = agent.lines.filter((l) => l.msg === 'connection failed').map((l) => Number(l.retryInMs));
    expect(failures.length).toBeGreaterThanOrEqual(1);
    failures.forEach((delay, i) => {
      // The disconnect took attempt 0 (3 s); each failed attempt waits 1.2x longer, less up to 20 % jitter.
      const base = 3_000 * 1.2 ** (i + 1);
      expect(delay).toBeGreaterThanOrEqual(0.8 * base - 1);
      expect(delay).toBeLessThanOrEqual(base + 1);
    });
    expect((await servers(second)).find((s) => s.serverId === 'phoenix')?.online).toBe(true);
  });

  it('with a wrong secret logs authentication failed as an error and keeps retrying; a fixed secret file connects at once', async () => {
    const dashboard = await startDashboard();
    const secretFile = join(dir, 'secret');
    writeFileSync(secretFile, 'not-the-secret\n');
    const agent = startAgent(dashboard, {
      SSS_HEALTH_PORT: '0',
      SSS_SERVER_ID: 'rotating',
      SSS_AUTH_SECRET: '',
      SSS_AUTH_SECRET_FILE: secretFile,
    });
    const error = await agent.waitForLog((l) => l.level === 50);
    expect(error.msg).toContain('authentication failed: the dashboard rejected the secret');
    expect(agent.lines.find((l) => l.msg === 'disconnected')).toMatchObject({
      code: 1008,
      reason: 'authentication failed',
    });
    await agent.waitForLog((l) => l.level === 50 && l !== error, 10_000);
    // The dashboard completes the upgrade and closes at once: every connection so far ended with 1008.
    const closes = agent.lines.filter((l) => l.msg === 'disconnected');
    expect(closes.length).toBeGreaterThanOrEqual(2);
    expect(closes.every((l) => l.code === 1008)).toBe(true);
    expect((await servers(dashboard)).find((s) => s.serverId === 'rotating')).toBeUndefined();

    // The next retry is ~4.3 s away; the changed file (read again every second) cuts the wait short.
    writeFileSync(secretFile, `${dashboard.secret}\n`);
    const connectedBefore = agent.lines.filter((l) => l.msg === 'connected').length;
    await agent.waitForLog((l) => l.msg === 'shared secret reloaded', 5_000);
    const connected = await agent.waitForLog(
      (l) =>
        l.msg === 'connected' && agent.lines.filter((c) => c.msg === 'connected').length > connectedBefore,
      10_000,
    );
    // At once: before the retry that the last close scheduled, by the agent's own clock (not within a fixed time of
    // this process's, which a busy machine stretches).
    const before = agent.lines
      .slice(0, agent.lines.indexOf(connected))
      .filter((l) => l.msg === 'disconnected');
    const last = before.at(-1);
    expect(Date.parse(String(connected.time))).toBeLessThan(
      Date.parse(String(last?.time)) + Number(last?.retryInMs),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(agent.lines.filter((l) => l.msg === 'disconnected')).toHaveLength(before.length);
    expect((await servers(dashboard)).find((s) => s.serverId === 'rotating')?.online).toBe(true);
  });

  it('serves /healthz for the liveness probe while its loop runs', async () => {
    const dashboard = await startDashboard();
    // The agent logs the health port it was given, not the one it bound: it gets one found free, and another if a
    // process took that one first ('agent starting' comes once it listens).
    const { agent, port } = await startOnFreePort(async (port) => {
      const agent = startAgent(dashboard, {
        SSS_HEALTH_PORT: String(port),
        SSS_HEALTH_HOST: '127.0.0.1',
        SSS_INTERVAL: '0.5',
      });
      await upOnPort(agent, (l) => l.msg === 'agent starting');
      return { agent, port };
    });
    await agent.waitForLog((l) => l.msg === 'connected');
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect([res.status, await res.json()]).toEqual([200, { status: 'ok' }]);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });

  it('stops with exit code 1 and the rule when the server id is invalid, or the secret is missing', async () => {
    const badId = startProgram('agent', agentMain, { SSS_AUTH_SECRET: 'x', SSS_SERVER_ID: 'not valid!' });
    expect((await badId.exited).code).toBe(1);
    expect(badId.stderr.join('')).toContain(`SSS_SERVER_ID must be ${SERVER_ID_RULE}, got "not valid!"`);

    const badNode = startProgram('agent', agentMain, { SSS_AUTH_SECRET: 'x', NODE_NAME: 'node/1' });
    expect((await badNode.exited).code).toBe(1);
    expect(badNode.stderr.join('')).toContain(
      `server id "node/1" from NODE_NAME is invalid: a server id must be ${SERVER_ID_RULE}`,
    );

    const noSecret = startProgram('agent', agentMain, {});
    expect((await noSecret.exited).code).toBe(1);
    expect(noSecret.stderr.join('')).toContain('SSS_AUTH_SECRET or SSS_AUTH_SECRET_FILE is required');
  });
});
