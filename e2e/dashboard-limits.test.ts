// Issue 13, acceptance 3 and 8: /metrics behind its token, wrong-secret DELETE limited and counted like failed
// logins, the cap on the number of servers, and the close code of an oversized browser message.
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloseCode, CloseReason } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { closed, connectReporter, FrontendClient, opened, sendReport } from './support/clients';
import { sampleValue, scrape } from './support/metrics';
import { type Dashboard, startDashboard, stopAll } from './support/processes';

const get = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { headers, signal: AbortSignal.timeout(5_000) });

async function report(dashboard: Dashboard, serverId: string): Promise<WebSocket> {
  const ws = connectReporter(dashboard.wsUrl, serverId, dashboard.secret);
  await opened(ws);
  sendReport(ws, { ...seedExample(), serverId });
  await dashboard.waitForLog((l) => l.msg === 'agent connected' && l.serverId === serverId, 5_000);
  return ws;
}

describe('dashboard limits', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await stopAll();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('answers /metrics 401 without the bearer token when SSS_METRICS_TOKEN is set', async () => {
    const dashboard = await startDashboard({ SSS_METRICS_TOKEN: 'scrape-me', SSS_KUBERNETES: 'off' });
    const missing = await get(`${dashboard.url}/metrics`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect(await missing.json()).toMatchObject({ error: 'unauthorized' });
    expect((await get(`${dashboard.url}/metrics`, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get(`${dashboard.url}/metrics?token=scrape-me`)).status).toBe(401);
    const ok = await get(`${dashboard.url}/metrics`, { Authorization: 'Bearer scrape-me' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('sss_reports_total');
    // Health and the ui stay open.
    expect((await get(`${dashboard.url}/healthz`)).status).toBe(200);
  });

  it('reads SSS_METRICS_TOKEN_FILE and takes a rotated token within seconds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sss-metrics-token-'));
    dirs.push(dir);
    const file = join(dir, 'token');
    writeFileSync(file, 'first\n');
    const dashboard = await startDashboard({ SSS_METRICS_TOKEN_FILE: file, SSS_KUBERNETES: 'off' });
    expect((await get(`${dashboard.url}/metrics`, { Authorization: 'Bearer first' })).status).toBe(200);
    writeFileSync(file, 'second\n');
    await expect
      .poll(async () => (await get(`${dashboard.url}/metrics`, { Authorization: 'Bearer second' })).status, {
        timeout: 5_000,
      })
      .toBe(200);
    expect((await get(`${dashboard.url}/metrics`, { Authorization: 'Bearer first' })).status).toBe(401);
  });

  it('limits and counts wrong-secret DELETE like failed logins, without refusing agents', async () => {
    const dashboard = await startDashboard({ SSS_AUTH_FAILURE_LIMIT: '3', SSS_KUBERNETES: 'off' });
    const agent = await report(dashboard, 'web-1');
    const remove = (secret: string) =>
      fetch(`${dashboard.url}/api/servers/web-1`, {
        method: 'DELETE',
        headers: { 'X-AUTH-SECRET': secret },
        signal: AbortSignal.timeout(5_000),
      });
    for (let i = 0; i < 3; i++) expect((await remove('guess')).status).toBe(403);
    const limited = await remove('guess');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({
      error: 'too_many_requests',
      message: 'too many wrong secrets from this address',
      retryAfter: Number(limited.headers.get('retry-after')),
    });
    // Limited per address: the right secret waits too, so guessing cannot go on through the window.
    expect((await remove(dashboard.secret)).status).toBe(429);
    const samples = await scrape(dashboard.url);
    expect(sampleValue(samples, 'sss_auth_failures_total')).toBe(3);
    expect(sampleValue(samples, 'sss_auth_rate_limited_total')).toBe(2);
    // The agents of that address are not refused.
    agent.close();
    (await report(dashboard, 'web-1')).close();
  });

  it('refuses new ids beyond SSS_MAX_SERVERS with 1013, counted, and lets known ids back', async () => {
    const dashboard = await startDashboard({ SSS_MAX_SERVERS: '2', SSS_KUBERNETES: 'off' });
    const first = await report(dashboard, 'web-1');
    (await report(dashboard, 'web-2')).close();
    const third = connectReporter(dashboard.wsUrl, 'web-3', dashboard.secret);
    expect(await closed(third)).toEqual({ code: CloseCode.tryAgainLater, reason: CloseReason.serverLimit });
    expect(CloseReason.serverLimit).toBe('server limit reached (SSS_MAX_SERVERS); try again later');
    expect(
      sampleValue(await scrape(dashboard.url), 'sss_agents_refused_total', { reason: 'server_limit' }),
    ).toBe(1);
    // A known id (offline now) reconnects; forgetting one makes room for the new id.
    (await report(dashboard, 'web-2')).close();
    const removed = await fetch(`${dashboard.url}/api/servers/web-2`, {
      method: 'DELETE',
      headers: { 'X-AUTH-SECRET': dashboard.secret },
      signal: AbortSignal.timeout(5_000),
    });
    expect(removed.status).toBe(204);
    (await report(dashboard, 'web-3')).close();
    first.close();
  });

  it('closes a browser message over 4 KiB with 1009 (message too big), as the README says', async () => {
    const dashboard = await startDashboard({ SSS_KUBERNETES: 'off' });
    const browser = new FrontendClient(dashboard.wsUrl);
    await browser.open();
    browser.ws.send('x'.repeat(4097));
    expect((await closed(browser.ws)).code).toBe(CloseCode.messageTooBig);
  });
});
