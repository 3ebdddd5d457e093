// Issue 13, acceptance 8: after the dashboard was stopped longer than the heartbeat window (SIGSTOP, as a long GC
// or a throttled CPU would), the reports that queued up meanwhile are read before any sweep judges a connection:
// no server flaps offline and no healthy connection is closed.
import { seedExample } from '@sss/protocol/fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { connectReporter, FrontendClient, opened, sendReport } from './support/clients';
import { startAgent, startDashboard, stopAll } from './support/processes';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a stalled dashboard', () => {
  afterAll(stopAll);

  it('keeps every server online and every connection open after SIGSTOP past the heartbeat window', async () => {
    // Offline after 3 s without a report, silent connections closed after 2 s; the stall lasts 5 s.
    const dashboard = await startDashboard({
      SSS_INTERVAL: '1',
      SSS_HEARTBEAT_TIMEOUT: '2',
      SSS_KUBERNETES: 'off',
    });
    const browser = new FrontendClient(dashboard.wsUrl);
    await browser.open();
    // No health server: the default port 8901 may be another program's (an agent left by another run), and the agent
    // exits when it is taken.
    const agent = startAgent(dashboard, {
      SSS_SERVER_ID: 'real-agent',
      SSS_INTERVAL: '1',
      SSS_HEALTH_PORT: '0',
    });
    const ids = ['web-1', 'web-2', 'web-3', 'web-4'];
    const reporters: WebSocket[] = [];
    const closes: string[] = [];
    for (const id of ids) {
      const ws = connectReporter(dashboard.wsUrl, id, dashboard.secret);
      ws.on('close', () => closes.push(id));
      await opened(ws);
      reporters.push(ws);
    }
    const timer = setInterval(() => {
      for (const [i, ws] of reporters.entries()) sendReport(ws, { ...seedExample(), serverId: ids[i] ?? '' });
    }, 500);
    try {
      for (const id of [...ids, 'real-agent']) {
        await browser.waitFor((m) => m.serverId === id && m.online, 10_000);
      }
      const from = browser.messages.length;
      dashboard.child.kill('SIGSTOP');
      await sleep(5_000);
      dashboard.child.kill('SIGCONT');
      await sleep(3_000);

      const after = browser.messages.slice(from).map((m) => m.info);
      expect(after.filter((m) => !m.online).map((m) => m.serverId)).toEqual([]);
      for (const id of [...ids, 'real-agent'])
        expect(after.some((m) => m.serverId === id && m.online)).toBe(true);
      expect(closes).toEqual([]);
      expect(dashboard.lines.filter((l) => l.msg === 'agent silent; closing')).toEqual([]);
      expect(dashboard.lines.filter((l) => l.msg === 'agent disconnected')).toEqual([]);
      expect(agent.child.exitCode).toBeNull();
      await dashboard.waitForLog((l) => l.msg === 'process stalled; sweeps wait one turn', 1_000);
    } finally {
      clearInterval(timer);
      dashboard.child.kill('SIGCONT');
      for (const ws of reporters) ws.close();
      browser.close();
    }
  }, 40_000);
});
