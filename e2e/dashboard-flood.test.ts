// Issue 13, acceptance 1: a flood of idle or half-sent connections from one address locks nobody else out, and its
// sockets are closed within the header timeout; a flood from many addresses stops below the descriptor limit.
import { readdirSync } from 'node:fs';
import { seedExample } from '@sss/protocol/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { opened, sendReport } from './support/clients';
import { Flood } from './support/flood';
import { sampleValue, scrape } from './support/metrics';
import { type Dashboard, startDashboard, stopAll } from './support/processes';
import { findTool } from './support/tools';

const prlimit = findTool('prlimit');

/** GET /healthz from another loopback address, within 2 s. */
async function healthz(dashboard: Dashboard): Promise<number> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: dashboard.port,
        path: '/healthz',
        localAddress: '127.0.0.2',
        timeout: 2_000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 2 s')));
    req.on('error', reject);
    req.end();
  });
}

/** A report client from 127.0.0.2 whose report reaches a browser stream, also from 127.0.0.2. */
async function reportsFromElsewhere(dashboard: Dashboard, serverId: string): Promise<void> {
  const localAddress = '127.0.0.2';
  const watcher = new WebSocket(`${dashboard.wsUrl}/ws-frontend`, { localAddress });
  const agent = new WebSocket(`${dashboard.wsUrl}/ws-report`, {
    headers: { 'X-AUTH-SECRET': dashboard.secret, 'X-SERVER-ID': serverId },
    localAddress,
  });
  agent.on('error', () => {});
  watcher.on('error', () => {});
  try {
    const seen = new Promise<void>((resolve) =>
      watcher.on('message', (data) => {
        const info = JSON.parse(data.toString()) as { serverId: string; online: boolean };
        if (info.serverId === serverId && info.online) resolve();
      }),
    );
    await opened(watcher);
    await opened(agent);
    sendReport(agent, { ...seedExample(), serverId });
    await Promise.race([
      seen,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('the report was not pushed in 5 s')), 5_000),
      ),
    ]);
  } finally {
    agent.close();
    watcher.close();
  }
}

/**
 * Descriptors the dashboard holds, from /proc. What the flooders see is no measure: a handshake the kernel finished
 * while the accept queue was full looks open to its client though the dashboard never held it.
 */
function descriptors(dashboard: Dashboard): number {
  return readdirSync(`/proc/${dashboard.child.pid}/fd`).length;
}

function floodLines(dashboard: Dashboard, reason: string) {
  return dashboard.lines.filter((l) => l.reason === reason && String(l.msg).startsWith('connection flood:'));
}

describe.skipIf(!prlimit)('connection floods', () => {
  const floods: Flood[] = [];
  afterEach(async () => {
    for (const flood of floods.splice(0)) flood.stop();
    await stopAll();
  });

  it.each([
    ['idle connections', undefined],
    ['half-sent requests', 'GET /healthz HTTP/1.1\r\nHost: x\r\n'],
  ])(
    '20,000 %s from one address lock out nobody else and are closed within the header timeout',
    async (_name, partial) => {
      const dashboard = await startDashboard({ SSS_HEADER_TIMEOUT: '2', SSS_KUBERNETES: 'off' });
      // Two processes of 10,000 sockets each: a process here may open 20,000 descriptors at most (ulimit -n).
      floods.push(
        ...[0, 1].map(() => new Flood({ port: dashboard.port, from: '127.0.0.1', count: 10_000, partial })),
      );
      const all = (count: (flood: Flood) => number) => floods.reduce((sum, flood) => sum + count(flood), 0);
      await expect.poll(() => all((f) => f.attempted), { timeout: 60_000, interval: 200 }).toBe(20_000);
      expect(all((f) => f.state.connected)).toBeGreaterThan(1_000);

      expect(await healthz(dashboard)).toBe(200);
      await reportsFromElsewhere(dashboard, 'elsewhere');

      // Beyond the per-address cap (1,024) sockets are closed at accept; the rest within 2 s plus the 1 s check.
      await expect.poll(() => descriptors(dashboard), { timeout: 10_000, interval: 200 }).toBeLessThan(64);
      // The flooders see their sockets closed too, but for a few: some handshakes the kernel finished while the
      // accept queue was full never reached the dashboard (and under load some attempts fail outright).
      await expect
        .poll(() => all((f) => f.state.closed) / all((f) => f.state.connected), {
          timeout: 10_000,
          interval: 200,
        })
        .toBeGreaterThan(0.95);
      const samples = await scrape(dashboard.url);
      expect(
        sampleValue(samples, 'sss_connections_dropped_total', { reason: 'address_limit' }),
      ).toBeGreaterThan(10_000);
      expect(
        sampleValue(samples, 'sss_connections_dropped_total', { reason: 'header_timeout' }),
      ).toBeGreaterThan(0);
      // One line per flood episode, not one per socket.
      expect(floodLines(dashboard, 'address_limit')).toHaveLength(1);
      expect(floodLines(dashboard, 'header_timeout')).toHaveLength(1);
    },
    120_000,
  );

  it('keeps head-room below a low open-files limit while floods from many addresses fill it', async () => {
    // 1,024 descriptors less 256 of head-room: at most 768 connections; eight addresses send 400 each.
    const dashboard = await startDashboard(
      { SSS_HEADER_TIMEOUT: '2', SSS_KUBERNETES: 'off', SSS_MAX_CONNECTIONS_PER_ADDRESS: '1000' },
      [],
      [prlimit ?? 'prlimit', '--nofile=1024:1024', '--'],
    );
    for (let i = 3; i < 11; i++) {
      floods.push(new Flood({ port: dashboard.port, from: `127.0.0.${i}`, count: 400 }));
    }
    await expect
      .poll(() => floods.reduce((sum, f) => sum + f.attempted, 0), { timeout: 30_000, interval: 200 })
      .toBe(3_200);

    // Within the header timeout the idle sockets are gone, and the dashboard serves again: it never ran out.
    await expect.poll(() => descriptors(dashboard), { timeout: 10_000, interval: 200 }).toBeLessThan(64);
    expect(await healthz(dashboard)).toBe(200);
    await reportsFromElsewhere(dashboard, 'elsewhere');
    const dropped = sampleValue(await scrape(dashboard.url), 'sss_connections_dropped_total', {
      reason: 'descriptor_limit',
    });
    expect(dropped).toBeGreaterThan(0);
    expect(floodLines(dashboard, 'descriptor_limit')).toHaveLength(1);
    expect(dashboard.output()).not.toMatch(/EMFILE/);
  }, 60_000);
});
