// Issue 13, acceptance 2: failed logins count per (address, server id), and behind a real nginx on loopback the
// address is the one X-Forwarded-For names, but only when the proxy is trusted (SSS_TRUSTED_PROXIES).
import type { IncomingMessage } from 'node:http';
import { seedExample } from '@sss/protocol/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { closed, opened, sendReport } from './support/clients';
import { type Nginx, nginxPath, startNginx } from './support/nginx';
import { type Dashboard, startDashboard, stopAll } from './support/processes';

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: { error?: string; message?: string; retryAfter?: number };
}

/** A report client from `from` (any 127/8 address), through `wsUrl`. */
function reporter(wsUrl: string, from: string, serverId: string, secret: string, headers = {}): WebSocket {
  const ws = new WebSocket(`${wsUrl}/ws-report`, {
    headers: { 'X-AUTH-SECRET': secret, 'X-SERVER-ID': serverId, ...headers },
    localAddress: from,
  });
  ws.on('error', () => {});
  return ws;
}

/** The HTTP answer of an upgrade that was refused. */
function refusal(ws: WebSocket): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no HTTP answer within 5 s')), 5_000);
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('end', () => {
        clearTimeout(timer);
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, retryAfter, body: JSON.parse(text) as Answer['body'] });
      });
    });
  });
}

async function failLogin(wsUrl: string, from: string, serverId: string): Promise<void> {
  expect(await closed(reporter(wsUrl, from, serverId, 'wrong'))).toEqual({
    code: 1008,
    reason: 'authentication failed',
  });
}

async function reports(wsUrl: string, from: string, serverId: string, dashboard: Dashboard): Promise<void> {
  const ws = reporter(wsUrl, from, serverId, dashboard.secret);
  await opened(ws);
  sendReport(ws, { ...seedExample(), serverId });
  await dashboard.waitForLog((l) => l.msg === 'agent connected' && l.serverId === serverId, 5_000);
  ws.close();
}

function failedFrom(dashboard: Dashboard): unknown[] {
  return dashboard.lines.filter((l) => l.msg === 'agent authentication failed').map((l) => l.address);
}

describe.skipIf(!nginxPath)('failed logins behind a reverse proxy (nginx)', () => {
  let nginx: Nginx | undefined;
  afterEach(async () => {
    await nginx?.stop();
    nginx = undefined;
    await stopAll();
  });

  it('limits per (client address, id) through a trusted proxy, with Retry-After and a JSON reason', async () => {
    const dashboard = await startDashboard({
      SSS_TRUSTED_PROXIES: '127.0.0.1/32, ::1',
      SSS_AUTH_FAILURE_LIMIT: '3',
      SSS_AUTH_FAILURE_ADDRESS_LIMIT: '6',
      SSS_KUBERNETES: 'off',
    });
    nginx = await startNginx({ upstreams: [dashboard.port] });
    const { wsUrl } = nginx;

    // web-1 reported before the failures from its address; brute force against "typo" from the same address.
    await reports(wsUrl, '127.0.0.2', 'web-1', dashboard);
    for (let i = 0; i < 3; i++) await failLogin(wsUrl, '127.0.0.2', 'typo');
    expect(failedFrom(dashboard)).toEqual(['127.0.0.2', '127.0.0.2', '127.0.0.2']);
    const limited = await refusal(reporter(wsUrl, '127.0.0.2', 'typo', dashboard.secret));
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({
      error: 'too_many_requests',
      message: 'too many failed logins for this server id from this address',
    });
    expect(limited.body.retryAfter).toBe(Number(limited.retryAfter));

    // The same id from another client behind the same proxy, and another id from the same client, get in.
    await reports(wsUrl, '127.0.0.3', 'typo', dashboard);
    await reports(wsUrl, '127.0.0.2', 'web-2', dashboard);

    // Spraying made-up ids: after 6 failures from the address, ids that never logged in from it wait; web-1 does not.
    for (const id of ['a', 'b', 'c']) await failLogin(wsUrl, '127.0.0.2', id);
    const sprayed = await refusal(reporter(wsUrl, '127.0.0.2', 'web-3', dashboard.secret));
    expect(sprayed.status).toBe(429);
    expect(sprayed.body.message).toBe('too many failed logins from this address');
    await reports(wsUrl, '127.0.0.2', 'web-1', dashboard);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const dashboard = await startDashboard({ SSS_AUTH_FAILURE_LIMIT: '2', SSS_KUBERNETES: 'off' });
    nginx = await startNginx({ upstreams: [dashboard.port] });

    // Through the untrusted proxy every client is the proxy.
    await failLogin(nginx.wsUrl, '127.0.0.2', 'typo');
    // Directly, a forged header changes nothing.
    await failLogin(dashboard.wsUrl, '127.0.0.4', 'typo');
    const forged = reporter(dashboard.wsUrl, '127.0.0.4', 'typo', 'wrong', { 'X-Forwarded-For': '10.9.9.9' });
    expect(await closed(forged)).toMatchObject({ code: 1008 });
    expect(failedFrom(dashboard)).toEqual(['127.0.0.1', '127.0.0.4', '127.0.0.4']);
    expect((await refusal(reporter(dashboard.wsUrl, '127.0.0.4', 'typo', dashboard.secret))).status).toBe(
      429,
    );
  });
});
