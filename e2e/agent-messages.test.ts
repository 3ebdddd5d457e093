// Issue 13, acceptance 7 and 9: what the real programs tell a first-time user. The agent says `connected` only once
// the dashboard took a report, names the path behind a 404 and rate limiting behind a 429, refuses a URL without a
// path; both programs print their version and name the setting of a port in use in one line.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { agentMain, dashboardMain, repoRoot } from './support/paths';
import { type Program, startAgent, startDashboard, startProgram, stopAll } from './support/processes';

const versionOf = (workspace: string) =>
  (JSON.parse(readFileSync(`${repoRoot}${workspace}/package.json`, 'utf8')) as { version: string }).version;

/** Holds a loopback port until closed, as another program would. */
async function occupiedPort(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function exitOf(program: Program): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { code } = await program.exited;
  return { code, stdout: program.lines.map((l) => l.msg ?? '').join('\n'), stderr: program.stderr.join('') };
}

describe('what the programs say', () => {
  afterEach(stopAll);

  it.each([
    ['sss-agent', agentMain, 'agent'],
    ['sss-dashboard', dashboardMain, 'dashboard'],
  ])('%s --version prints the version of its package.json and exits 0', async (name, main, workspace) => {
    const result = await exitOf(startProgram(name, main, {}, ['--version']));
    expect(result).toEqual({ code: 0, stdout: `${name} ${versionOf(workspace)}`, stderr: '' });
  });

  it("the agent exits 1 with one line naming SSS_HEALTH_PORT when the health server's port is in use", async () => {
    const holder = await occupiedPort();
    try {
      const port = (holder.address() as { port: number }).port;
      const agent = startProgram('agent', agentMain, {
        SSS_AUTH_SECRET: 's',
        SSS_HEALTH_HOST: '127.0.0.1',
        SSS_HEALTH_PORT: String(port),
      });
      const result = await exitOf(agent);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `sss-agent: SSS_HEALTH_PORT: port ${port} on 127.0.0.1 is already in use (another program, or this one running twice); set SSS_HEALTH_PORT to a free port\n`,
      );
    } finally {
      holder.close();
    }
  });

  it.each(['ws://127.0.0.1:8900', 'ws://127.0.0.1:8900/'])(
    'the agent refuses the URL %s without a path and says what to write',
    async (url) => {
      const result = await exitOf(
        startProgram('agent', agentMain, {
          SSS_AUTH_SECRET: 's',
          SSS_DASHBOARD_URL: url,
          SSS_HEALTH_PORT: '0',
        }),
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `sss-agent: SSS_DASHBOARD_URL must name the dashboard's report endpoint, /ws-report: got "${url}" without a path; use e.g. ws://127.0.0.1:8900/ws-report\n`,
      );
    },
  );

  it('the agent says connected only after the dashboard took a report, and nothing of the kind with a wrong secret', async () => {
    const dashboard = await startDashboard({ SSS_AUTH_FAILURE_LIMIT: '1000' });
    const wrong = startAgent(dashboard, {
      SSS_HEALTH_PORT: '0',
      SSS_SERVER_ID: 'wrong',
      SSS_AUTH_SECRET: 'nope',
    });
    await wrong.waitForLog((l) => l.level === 50 && String(l.msg).startsWith('authentication failed'));
    await wrong.waitForLog(
      (l) => l.msg === 'disconnected' && l !== wrong.lines.find((f) => f.msg === 'disconnected'),
      10_000,
    );
    expect(wrong.lines.filter((l) => l.msg === 'connected')).toEqual([]);
    expect(
      wrong.lines.filter((l) => l.msg === 'connection open, waiting for the dashboard').length,
    ).toBeGreaterThan(0);

    const right = startAgent(dashboard, {
      SSS_HEALTH_PORT: '0',
      SSS_SERVER_ID: 'right',
      SSS_INTERVAL: '0.5',
    });
    const connected = await right.waitForLog((l) => l.msg === 'connected');
    const open = right.lines.find((l) => l.msg === 'connection open, waiting for the dashboard');
    expect(open?.level).toBe(20);
    expect(right.lines.indexOf(open as never)).toBeLessThan(right.lines.indexOf(connected));
    // By then the dashboard has the report.
    const listed = (await (await fetch(`${dashboard.url}/api/servers/right`)).json()) as { online: boolean };
    expect(listed.online).toBe(true);
  });

  it('the agent names the path as the cause of a 404', async () => {
    const dashboard = await startDashboard();
    const agent = startAgent(dashboard, {
      SSS_HEALTH_PORT: '0',
      SSS_DASHBOARD_URL: `${dashboard.wsUrl}/report`,
    });
    const error = await agent.waitForLog((l) => l.level === 50);
    expect(error).toMatchObject({ status: 404 });
    expect(error.msg).toBe(
      'the dashboard has no report endpoint at /report: check the path of SSS_DASHBOARD_URL; the dashboard listens on /ws-report (e.g. ws://dashboard:8900/ws-report)',
    );
    expect(agent.lines.filter((l) => l.msg === 'connected')).toEqual([]);
  });

  it('the agent says a 429 is rate limiting and waits as long as Retry-After asks', async () => {
    const dashboard = await startDashboard({ SSS_AUTH_FAILURE_LIMIT: '1', SSS_AUTH_FAILURE_WINDOW: '30' });
    const agent = startAgent(dashboard, {
      SSS_HEALTH_PORT: '0',
      SSS_SERVER_ID: 'limited',
      SSS_AUTH_SECRET: 'nope',
    });
    // The first attempt fails its login (1008); the next one, about 3 s later, meets the limit.
    const limited = await agent.waitForLog((l) => String(l.msg).startsWith('rate limited'), 15_000);
    expect(limited).toMatchObject({ level: 40, status: 429 });
    expect(Number(limited.retryInMs)).toBeGreaterThan(20_000);
    expect(limited.msg).toContain(`retrying in ${Math.ceil(Number(limited.retryInMs) / 1000)} s`);
  });
});
