// Issue 2, acceptance 3 and 4: every bad input closes with its documented code, is counted, and harms nobody else.
import { CloseCode } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { closed, connectReporter, FrontendClient, opened, sendReport } from './support/clients';
import { sampleValue, scrape } from './support/metrics';
import { type Dashboard, startDashboard, stopAll } from './support/processes';

describe('dashboard rejections', () => {
  let dashboard: Dashboard;
  let watcher: FrontendClient;
  let healthy: WebSocket;

  beforeAll(async () => {
    // A high failure limit here; the 429 test below starts a dashboard of its own.
    dashboard = await startDashboard({ SSS_AUTH_FAILURE_LIMIT: '1000', SSS_MAX_MESSAGE_SIZE: '65536' });
    watcher = new FrontendClient(dashboard.wsUrl);
    await watcher.open();
    healthy = connectReporter(dashboard.wsUrl, 'healthy', dashboard.secret);
    await opened(healthy);
  });
  afterAll(stopAll);

  /** After each rejection the healthy reporter's next report still reaches the frontend. */
  async function othersStillServed(): Promise<void> {
    const percent = Math.round(Math.random() * 100);
    const from = watcher.messages.length;
    sendReport(healthy, { ...seedExample(), serverId: 'healthy', cpu: { ...seedExample().cpu, percent } });
    await watcher.waitFor((m) => m.serverId === 'healthy' && m.cpu.percent === percent, 5_000, from);
  }

  async function rejectedCount(reason: string): Promise<number> {
    return sampleValue(await scrape(dashboard.url), 'sss_reports_rejected_total', { reason });
  }

  it.each([
    ['a wrong secret', 'wrong'],
    ['a missing secret', undefined],
  ])('closes %s with 1008 authentication failed, counted', async (_name, secret) => {
    const before = sampleValue(await scrape(dashboard.url), 'sss_auth_failures_total');
    const headers: Record<string, string> = { 'X-SERVER-ID': 'intruder' };
    if (secret) headers['X-AUTH-SECRET'] = secret;
    const ws = new WebSocket(`${dashboard.wsUrl}/ws-report`, { headers });
    ws.on('error', () => {});
    expect(await closed(ws)).toEqual({ code: 1008, reason: 'authentication failed' });
    expect(sampleValue(await scrape(dashboard.url), 'sss_auth_failures_total')).toBe(before + 1);
    await othersStillServed();
  });

  it('closes a missing server id with 1008', async () => {
    const ws = new WebSocket(`${dashboard.wsUrl}/ws-report`, {
      headers: { 'X-AUTH-SECRET': dashboard.secret },
    });
    ws.on('error', () => {});
    expect(await closed(ws)).toEqual({ code: 1008, reason: 'authentication failed' });
  });

  type Case = [string, string, (ws: WebSocket) => void, number, RegExp];
  const cases: Case[] = [
    [
      'a body serverId that differs from the header',
      'server_id_mismatch',
      (ws) => sendReport(ws, { ...seedExample(), serverId: 'someone-else' }),
      CloseCode.policyViolation,
      /^serverId "someone-else" does not match the X-SERVER-ID header$/,
    ],
    [
      'a binary frame',
      'binary',
      (ws) => ws.send(Buffer.from('{}')),
      CloseCode.unsupportedData,
      /^binary frames/,
    ],
    [
      'invalid JSON',
      'invalid_json',
      (ws) => ws.send('{"serverId":'),
      CloseCode.invalidPayload,
      /^invalid JSON: /,
    ],
    [
      'a schema violation',
      'schema',
      (ws) =>
        ws.send(
          JSON.stringify({
            ...seedExample(),
            serverId: 'bad-1',
            memory: { ...seedExample().memory, used: -5 },
          }),
        ),
      CloseCode.invalidPayload,
      /^invalid field memory\.used: must not be negative$/,
    ],
    [
      'a missing nested field',
      'schema',
      (ws) => ws.send(JSON.stringify({ ...seedExample(), serverId: 'bad-1', disk: [{ path: '/' }] })),
      CloseCode.invalidPayload,
      /^invalid field disk\[0\]\.total: must be a finite number$/,
    ],
    [
      'a frame over the size limit',
      'too_large',
      (ws) => ws.send('x'.repeat(70_000)),
      CloseCode.messageTooBig,
      /^$/,
    ],
    [
      'text that is not UTF-8',
      'invalid_utf8',
      (ws) => ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false }),
      CloseCode.invalidPayload,
      /^$/,
    ],
  ];

  it.each(cases)('closes %s with its code and reason, counted', async (_name, reason, send, code, text) => {
    const before = await rejectedCount(reason);
    const ws = connectReporter(dashboard.wsUrl, 'bad-1', dashboard.secret);
    await opened(ws);
    const closing = closed(ws);
    send(ws);
    const result = await closing;
    expect(result.code).toBe(code);
    expect(result.reason).toMatch(text);
    await expect.poll(() => rejectedCount(reason), { timeout: 3_000 }).toBe(before + 1);
    await othersStillServed();
    expect(healthy.readyState).toBe(WebSocket.OPEN);
  });

  it('never lets a rejected report reach the frontends', () => {
    expect(watcher.messages.filter((m) => m.info.serverId !== 'healthy')).toEqual([]);
  });
});

describe('authentication rate limit', () => {
  afterAll(stopAll);

  it('answers HTTP 429 before the upgrade after the configured number of failures', async () => {
    const dashboard = await startDashboard({ SSS_AUTH_FAILURE_LIMIT: '3', SSS_AUTH_FAILURE_WINDOW: '60' });
    for (let i = 0; i < 3; i++) {
      const ws = connectReporter(dashboard.wsUrl, 'guess', `wrong-${i}`);
      expect((await closed(ws)).code).toBe(1008);
    }
    // Even the right secret is refused now, before any upgrade, with a JSON body.
    const ws = connectReporter(dashboard.wsUrl, 'guess', dashboard.secret);
    const refused = await new Promise<{ status: number; retryAfter: number; body: unknown }>(
      (resolve, reject) => {
        ws.once('open', () => reject(new Error('upgraded despite the limit')));
        ws.once('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              retryAfter: Number(res.headers['retry-after']),
              body: JSON.parse(body),
            }),
          );
        });
      },
    );
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBeGreaterThan(0);
    expect(refused.body).toEqual({
      error: 'too_many_requests',
      message: 'too many failed logins for this server id from this address',
      retryAfter: refused.retryAfter,
    });

    const samples = await scrape(dashboard.url);
    expect(sampleValue(samples, 'sss_auth_failures_total')).toBe(3);
    expect(sampleValue(samples, 'sss_auth_rate_limited_total')).toBe(1);
  });
});
