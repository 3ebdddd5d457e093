// The agent's own WebSocket client against the ws package's server (the reporter tests drive it further).
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import {
  ABNORMAL_CLOSURE,
  acceptFor,
  CLOSED,
  encodeFrame,
  OPEN,
  sha1,
  UnexpectedResponse,
  WebSocket,
} from './websocket';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function wsServer(): Promise<{ server: WebSocketServer; url: string }> {
  return new Promise((resolve) => {
    const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () =>
      resolve({ server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws-report?x=1` }),
    );
    closers.push(() => new Promise((done) => server.close(done)));
  });
}

/** A server that answers the upgrade request with `respond` (raw bytes), or not at all. */
function rawServer(respond: (socket: Socket) => void): Promise<string> {
  return new Promise((resolve) => {
    const server: Server = createServer();
    const sockets: Socket[] = [];
    server.on('upgrade', (_req, socket: Socket) => {
      sockets.push(socket);
      respond(socket);
    });
    server.listen(0, '127.0.0.1', () => resolve(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`));
    closers.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise((done) => server.close(done));
    });
  });
}

function events(ws: WebSocket) {
  const seen: { open: boolean; errors: string[]; close?: [number, string]; pongs: number } = {
    open: false,
    errors: [],
    pongs: 0,
  };
  ws.on('open', () => {
    seen.open = true;
  });
  ws.on('error', (err) => seen.errors.push(err.message));
  ws.on('pong', () => seen.pongs++);
  const closed = new Promise<void>((resolve) =>
    ws.on('close', (code, reason) => {
      seen.close = [code, reason];
      resolve();
    }),
  );
  return { seen, closed };
}

describe('handshake helpers', () => {
  it("computes SHA-1 as node:crypto does, and RFC 6455's example accept value", () => {
    for (const text of ['', 'abc', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'w'.repeat(1000)]) {
      expect(Buffer.from(sha1(Buffer.from(text))).toString('hex')).toBe(
        createHash('sha1').update(text).digest('hex'),
      );
    }
    expect(acceptFor('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('masks client frames and uses the 16- and 64-bit lengths past 125 and 65535 bytes', () => {
    const mask = Buffer.from([1, 2, 3, 4]);
    const small = encodeFrame(0x1, Buffer.from('hi'), mask);
    expect([...small]).toEqual([0x81, 0x82, 1, 2, 3, 4, 'h'.charCodeAt(0) ^ 1, 'i'.charCodeAt(0) ^ 2]);
    expect(encodeFrame(0x1, Buffer.alloc(126), mask).subarray(0, 4)).toEqual(
      Buffer.from([0x81, 0xfe, 0, 126]),
    );
    const big = encodeFrame(0x1, Buffer.alloc(65536), mask);
    expect(big[1]).toBe(0xff);
    expect(big.readBigUInt64BE(2)).toBe(65536n);
    expect(big.length).toBe(10 + 4 + 65536);
  });
});

describe('WebSocket', () => {
  it('opens with the extra headers, sends text of every size, answers pings, gets pongs, closes cleanly', async () => {
    const { server, url } = await wsServer();
    const received: string[] = [];
    let headers: Record<string, unknown> = {};
    let path = '';
    const closedWith = new Promise<number>((resolve) =>
      server.on('connection', (socket, req) => {
        headers = req.headers;
        path = req.url ?? '';
        socket.on('message', (data) => received.push(data.toString()));
        socket.on('close', (code) => resolve(code));
        socket.ping();
        socket.send('ignored by the client');
      }),
    );
    const ws = new WebSocket(url, { headers: { 'X-AUTH-SECRET': 's', 'X-SERVER-ID': 'n1' } });
    const { seen, closed } = events(ws);
    await new Promise((resolve) => ws.once('open', () => resolve(undefined)));
    expect(ws.readyState).toBe(OPEN);
    const large = 'r'.repeat(70_000);
    ws.send('{"a":1}');
    ws.send('é'.repeat(200));
    ws.send(large);
    ws.ping();
    await expect.poll(() => received.length).toBe(3);
    await expect.poll(() => seen.pongs).toBe(1);
    expect(received).toEqual(['{"a":1}', 'é'.repeat(200), large]);
    expect(headers).toMatchObject({ 'x-auth-secret': 's', 'x-server-id': 'n1' });
    expect(path).toBe('/ws-report?x=1');
    ws.close(1001, 'agent shutting down');
    await closed;
    expect(await closedWith).toBe(1001);
    expect(seen.close).toEqual([1001, 'agent shutting down']); // ws echoes the reason
    expect(ws.readyState).toBe(CLOSED);
    expect(seen.errors).toEqual([]);
  });

  it("passes on the server's close code and reason", async () => {
    const { server, url } = await wsServer();
    server.on('connection', (socket) => socket.close(1008, 'authentication failed'));
    const { seen, closed } = events(new WebSocket(url));
    await closed;
    expect(seen.close).toEqual([1008, 'authentication failed']);
  });

  it('fails on a refused upgrade (HTTP 429), a wrong accept value, a silent server; closes 1006', async () => {
    const refusing = await rawServer((socket) =>
      socket.end('HTTP/1.1 429 Too Many Requests\r\nRetry-After: 10\r\nContent-Length: 0\r\n\r\n'),
    );
    const refusal = new WebSocket(refusing);
    const answer = new Promise<unknown>((resolve) => refusal.once('error', resolve));
    const refused = events(refusal);
    await refused.closed;
    expect(refused.seen.errors).toEqual(['Unexpected server response: 429']);
    // The status and headers come with the error: the reporter names the cause and waits for Retry-After.
    const err = await answer;
    expect(err).toBeInstanceOf(UnexpectedResponse);
    expect(err).toMatchObject({ status: 429, headers: { 'retry-after': '10', 'content-length': '0' } });
    expect(refused.seen.close?.[0]).toBe(ABNORMAL_CLOSURE);
    expect(refused.seen.open).toBe(false);

    const lying = await rawServer((socket) =>
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm9wZQ==\r\n\r\n',
      ),
    );
    const lied = events(new WebSocket(lying));
    await lied.closed;
    expect(lied.seen.errors).toEqual(['Invalid Sec-WebSocket-Accept header']);

    const silent = await rawServer(() => {});
    const waited = events(new WebSocket(silent, { handshakeTimeout: 100 }));
    await waited.closed;
    expect(waited.seen.errors).toEqual(['Opening handshake has timed out']);
    expect(waited.seen.close?.[0]).toBe(ABNORMAL_CLOSURE);
  });

  it('terminate ends the connection at once with 1006', async () => {
    const { url } = await wsServer();
    const ws = new WebSocket(url);
    const { seen, closed } = events(ws);
    await new Promise((resolve) => ws.once('open', () => resolve(undefined)));
    ws.terminate();
    await closed;
    expect(seen.close?.[0]).toBe(ABNORMAL_CLOSURE);
  });
});
