// The reporter against real WebSocket servers on loopback, with the heartbeat and backoff shortened.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloseCode, CloseReason } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { Reporter, type ReporterOptions, retryAfterSeconds } from './reporter';
import { captureLog } from './testing/support';

const servers: WebSocketServer[] = [];
const reporters: Reporter[] = [];
afterEach(async () => {
  await Promise.all(reporters.splice(0).map((r) => r.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function listen(
  options: ConstructorParameters<typeof WebSocketServer>[0] = {},
  port = 0,
): Promise<WebSocketServer> {
  return new Promise((resolve) => {
    const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port, ...options }, () =>
      resolve(server),
    );
    servers.push(server);
  });
}

function portOf(server: WebSocketServer): number {
  return (server.address() as AddressInfo).port;
}

/** A loopback port nobody listens on (yet). */
async function freePort(): Promise<number> {
  const server = await listen();
  const port = portOf(server);
  await new Promise((resolve) => server.close(resolve));
  servers.splice(servers.indexOf(server), 1);
  return port;
}

const FAST_BACKOFF = { initialMs: 50, factor: 2, maxMs: 200, jitter: 0.2 };
/** Room for a Retry-After of seconds under the cap. */
const CAPPED_AT_10_S = { ...FAST_BACKOFF, maxMs: 10_000 };

function reporter(port: number, overrides: Partial<ReporterOptions> = {}) {
  const captured = captureLog();
  const r = new Reporter({
    url: `ws://127.0.0.1:${port}/ws-report`,
    serverId: 'node-1',
    secret: () => 's3cret',
    log: captured.log,
    backoff: FAST_BACKOFF,
    random: () => 0,
    ...overrides,
  });
  reporters.push(r);
  return { reporter: r, ...captured };
}

/** A plain HTTP server that answers every upgrade with `status` and `headers`, as a proxy or a wrong path does. */
async function refusing(status: number, headers: Record<string, string> = {}): Promise<Server> {
  const server = createServer((_req, res) => res.writeHead(status, headers).end());
  server.on('upgrade', (_req, socket) => {
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
    socket.end(
      `HTTP/1.1 ${status} Refused\r\n${lines.join('')}Content-Length: 0\r\nConnection: close\r\n\r\n`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return server;
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('reporter', () => {
  it('connects with the two headers, sends the latest report at once and each one after, logs connect and close', async () => {
    const server = await listen();
    const received: { headers: Record<string, unknown>; messages: string[] }[] = [];
    server.on('connection', (ws, req) => {
      const conn = { headers: req.headers, messages: [] as string[] };
      received.push(conn);
      ws.on('message', (data) => conn.messages.push(data.toString()));
    });
    const { reporter: r, lines } = reporter(portOf(server));
    const report = seedExample();
    r.send(report); // before the connection: kept as the first message
    r.start();
    await until(() => received[0]?.messages.length === 1);
    expect(received[0]?.headers).toMatchObject({ 'x-auth-secret': 's3cret', 'x-server-id': 'node-1' });
    expect(JSON.parse(received[0]?.messages[0] ?? '')).toEqual(report);
    r.send({ ...report, timestamp: 2 });
    await until(() => received[0]?.messages.length === 2);
    expect(lines.find((l) => l.msg === 'connected')).toMatchObject({
      url: `ws://127.0.0.1:${portOf(server)}/ws-report`,
    });

    for (const client of server.clients) client.close(CloseCode.goingAway, CloseReason.shuttingDown);
    await until(() => lines.some((l) => l.msg === 'disconnected'));
    expect(lines.find((l) => l.msg === 'disconnected')).toMatchObject({
      code: 1001,
      reason: 'server shutting down',
      retryInMs: 50,
    });
  });

  it('pings on its interval and stays connected while pongs come back', async () => {
    const server = await listen();
    let pings = 0;
    let connections = 0;
    server.on('connection', (ws) => {
      connections++;
      ws.on('ping', () => pings++);
    });
    const { reporter: r } = reporter(portOf(server), {
      heartbeat: { pingIntervalMs: 50, pongTimeoutMs: 120 },
    });
    r.start();
    await until(() => pings >= 8);
    expect(connections).toBe(1);
    expect(r.connected).toBe(true);
  });

  it('reconnects when no pong arrives within the timeout', async () => {
    const server = await listen({ autoPong: false });
    const pingsAt: number[] = [];
    const connectedAt: number[] = [];
    server.on('connection', (ws) => {
      connectedAt.push(performance.now());
      ws.on('ping', () => pingsAt.push(performance.now()));
    });
    const { reporter: r, lines } = reporter(portOf(server), {
      heartbeat: { pingIntervalMs: 100, pongTimeoutMs: 250 },
    });
    r.start();
    await until(() => connectedAt.length >= 2);
    const gave = lines.find((l) => l.msg === 'no pong from the dashboard in time; reconnecting');
    expect(gave).toMatchObject({ timeoutMs: 250 });
    // Not before the first ping plus the pong timeout.
    expect((connectedAt[1] ?? 0) - (pingsAt[0] ?? 0)).toBeGreaterThanOrEqual(250);
    expect(lines.find((l) => l.msg === 'disconnected')).toMatchObject({ code: 1006 });
  });

  it('backs off initial x factor^attempt up to the cap, jitter only shortening it', async () => {
    const port = await freePort();
    const noJitter = reporter(port, { random: () => 0 });
    noJitter.reporter.start();
    const fullJitter = reporter(port, { random: () => 1 });
    fullJitter.reporter.start();
    const delays = (lines: typeof noJitter.lines) =>
      lines.filter((l) => l.msg === 'connection failed').map((l) => l.retryInMs);
    await until(() => delays(noJitter.lines).length >= 5 && delays(fullJitter.lines).length >= 5);
    expect(delays(noJitter.lines).slice(0, 5)).toEqual([50, 100, 200, 200, 200]);
    expect(delays(fullJitter.lines).slice(0, 5)).toEqual([40, 80, 160, 160, 160]);
    expect(String(noJitter.lines.find((l) => l.msg === 'connection failed')?.err)).toContain('ECONNREFUSED');
  });

  it('resets the backoff after a connection the dashboard accepted', async () => {
    const port = await freePort();
    const { reporter: r, lines } = reporter(port);
    r.start();
    const failed = () => lines.filter((l) => l.msg === 'connection failed').map((l) => l.retryInMs);
    await until(() => failed().length >= 3);
    const server = await listen({}, port);
    server.on('connection', (ws) =>
      ws.on('message', () => setTimeout(() => ws.close(CloseCode.goingAway, 'bye'), 20)),
    );
    r.send(seedExample());
    await until(() => lines.some((l) => l.msg === 'disconnected'));
    expect(failed().slice(0, 3)).toEqual([50, 100, 200]);
    expect(lines.find((l) => l.msg === 'disconnected')?.retryInMs).toBe(50);
  });

  it('on 1008 authentication failed logs an error and keeps retrying with a growing backoff', async () => {
    const server = await listen();
    let attempts = 0;
    server.on('connection', (ws) => {
      attempts++;
      ws.close(CloseCode.policyViolation, CloseReason.authenticationFailed);
    });
    const { reporter: r, lines } = reporter(portOf(server));
    r.start();
    await until(() => attempts >= 4);
    const errors = lines.filter((l) => l.level === 50);
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(errors[0]?.msg).toContain('authentication failed: the dashboard rejected the secret');
    expect(
      lines
        .filter((l) => l.msg === 'disconnected')
        .map((l) => [l.code, l.reason, l.retryInMs])
        .slice(0, 3),
    ).toEqual([
      [1008, 'authentication failed', 50],
      [1008, 'authentication failed', 100],
      [1008, 'authentication failed', 200],
    ]);
  });

  it('logs connected only once the dashboard took a report; before that, at debug, that it waits', async () => {
    const server = await listen();
    server.on('connection', (ws) => ws.once('message', () => void 0));
    const { reporter: r, lines } = reporter(portOf(server));
    r.start();
    await until(() => lines.some((l) => l.msg === 'connection open, waiting for the dashboard'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // No report yet: open, but not accepted.
    expect(lines.find((l) => l.msg === 'connection open, waiting for the dashboard')?.level).toBe(20);
    expect(lines.some((l) => l.msg === 'connected')).toBe(false);
    r.send(seedExample());
    await until(() => lines.some((l) => l.msg === 'connected'));
    expect(lines.filter((l) => l.msg === 'connected')).toHaveLength(1);
  });

  it.each([
    [
      'a wrong secret (1008 at once)',
      (ws: import('ws').WebSocket) => ws.close(1008, 'authentication failed'),
    ],
    [
      'a refused report (1007)',
      (ws: import('ws').WebSocket) =>
        ws.once('message', () => ws.close(1007, 'invalid field cpu.percent: must be between 0 and 100')),
    ],
  ])('never logs connected for %s', async (_name, refuse) => {
    const server = await listen();
    let attempts = 0;
    server.on('connection', (ws) => {
      attempts++;
      refuse(ws);
    });
    const { reporter: r, lines } = reporter(portOf(server));
    r.send(seedExample());
    r.start();
    await until(() => attempts >= 3 && lines.filter((l) => l.msg === 'disconnected').length >= 3);
    expect(lines.some((l) => l.msg === 'connected')).toBe(false);
    // Closed before acceptance: a warning, and the backoff keeps growing.
    const closes = lines.filter((l) => l.msg === 'disconnected');
    expect(closes.map((l) => [l.level, l.retryInMs]).slice(0, 3)).toEqual([
      [40, 50],
      [40, 100],
      [40, 200],
    ]);
  });

  it('names the path as the likely cause of a 404', async () => {
    const server = await refusing(404);
    const { reporter: r, lines } = reporter((server.address() as AddressInfo).port, {
      url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    });
    r.start();
    await until(() => lines.some((l) => l.level === 50));
    const error = lines.find((l) => l.level === 50);
    expect(error?.msg).toContain('no report endpoint at /');
    expect(error?.msg).toContain('SSS_DASHBOARD_URL');
    expect(error?.msg).toContain('/ws-report');
    expect(lines.find((l) => l.msg === 'connection failed')).toMatchObject({ status: 404 });
  });

  it('says a 429 is rate limiting and waits for its Retry-After', async () => {
    const server = await refusing(429, { 'Retry-After': '2' });
    const { reporter: r, lines } = reporter((server.address() as AddressInfo).port, {
      backoff: CAPPED_AT_10_S,
    });
    r.start();
    await until(() => lines.some((l) => l.msg === 'connection failed'));
    const limited = lines.find((l) => l.level === 40 && l.msg.startsWith('rate limited'));
    expect(limited).toMatchObject({ status: 429, retryInMs: 2_000 });
    expect(limited?.msg).toContain('retrying in 2 s');
    expect(lines.find((l) => l.msg === 'connection failed')?.retryInMs).toBe(2_000);
  });

  it("waits no longer than the backoff's cap, however long Retry-After asks", async () => {
    const server = await refusing(429, { 'Retry-After': '3000000' });
    const { reporter: r, lines } = reporter((server.address() as AddressInfo).port, {
      backoff: CAPPED_AT_10_S,
    });
    r.start();
    await until(() => lines.some((l) => l.msg === 'connection failed'));
    expect(lines.find((l) => l.msg === 'connection failed')?.retryInMs).toBe(10_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterSeconds('17', now)).toBe(17);
    expect(retryAfterSeconds('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(undefined, now)).toBeUndefined();
  });

  it.each([
    ['at once', 0],
    ['after a while: the attempt is in flight when the secret changes', 200],
  ])(
    'reads the secret at every attempt and skips the wait when asked (secret rotated), the old one refused %s',
    async (_when, refusalMs) => {
      const server = await listen();
      const secrets: unknown[] = [];
      server.on('connection', (ws, req) => {
        secrets.push(req.headers['x-auth-secret']);
        if (req.headers['x-auth-secret'] !== 'new')
          setTimeout(() => ws.close(CloseCode.policyViolation, CloseReason.authenticationFailed), refusalMs);
      });
      let secret = 'old';
      const { reporter: r } = reporter(portOf(server), {
        secret: () => secret,
        backoff: { initialMs: 60_000, factor: 1, maxMs: 60_000, jitter: 0 },
      });
      r.start();
      await until(() => secrets.length === 1);
      secret = 'new';
      r.reconnectNow();
      // Within until()'s 5 s, not the backoff's 60 s.
      await until(() => secrets.length === 2 && r.connected);
      expect(secrets).toEqual(['old', 'new']);
    },
  );

  it('stops with 1001 going away', async () => {
    const server = await listen();
    const closes: number[] = [];
    server.on('connection', (ws) => ws.on('close', (code) => closes.push(code)));
    const { reporter: r } = reporter(portOf(server));
    r.start();
    await until(() => r.connected);
    await r.stop();
    await until(() => closes.length === 1);
    expect(closes).toEqual([1001]);
  });
});
