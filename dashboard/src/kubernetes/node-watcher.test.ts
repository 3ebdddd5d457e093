import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { KubernetesNodeInfo } from '@sss/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeJson } from './node-facts';
import { NodeWatcher } from './node-watcher';

const node = (name: string): NodeJson => ({
  metadata: { name, resourceVersion: '7', creationTimestamp: '2026-11-30T10:00:00Z' },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});

type Handler = (url: URL, req: IncomingMessage, res: ServerResponse) => void;

let server: Server | undefined;
let watcher: NodeWatcher | undefined;

afterEach(async () => {
  watcher?.stop();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

/** A fake API server over plain HTTP and a watcher listing from it with a token. */
async function watch(handler: Handler, requestTimeoutMs = 5_000, onWatch?: Handler) {
  const requests: string[] = [];
  const upserted: KubernetesNodeInfo[] = [];
  const removed: string[] = [];
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url.search);
    if (url.searchParams.get('watch') === 'true') {
      if (onWatch) onWatch(url, req, res);
      else res.writeHead(200, { 'content-type': 'application/json' }); // an open watch with nothing to say
      return;
    }
    handler(url, req, res);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const api = {
    server: `http://127.0.0.1:${port}`,
    requestOptions: async () => ({ headers: { authorization: 'Bearer secret-token' } }),
  };
  watcher = new NodeWatcher(
    api,
    { upsert: (facts) => upserted.push(facts), remove: (name) => removed.push(name) },
    pino({ level: 'silent' }),
    { pageSize: 2, requestTimeoutMs, backoff: { initialMs: 60_000, factor: 1, maxMs: 60_000, jitter: 0 } },
  );
  watcher.start();
  return { watcher, requests, upserted, removed };
}

function json(res: ServerResponse, status: number, body: object, gzip = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(gzip ? gzipSync(text) : text);
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('NodeWatcher', () => {
  it('lists the Nodes as plain JSON in pages, with the token, compressed when the server compresses', async () => {
    const auth: (string | undefined)[] = [];
    const { watcher, requests, upserted } = await watch((url, req, res) => {
      auth.push(req.headers.authorization);
      if (url.searchParams.get('continue') === 'next/page')
        json(res, 200, { metadata: { resourceVersion: '9' }, items: [node('c')] });
      else
        json(
          res,
          200,
          { metadata: { resourceVersion: '9', continue: 'next/page' }, items: [node('a'), node('b')] },
          req.headers['accept-encoding']?.includes('gzip'),
        );
    });
    expect(await watcher.whenSynced(5_000)).toBe(true);
    await until(() => watcher.state === 'synced');
    expect(upserted.map((facts) => facts.nodeName)).toEqual(['a', 'b', 'c']);
    expect(upserted[0]?.ready).toBe('true');
    expect(upserted[0]?.createdAt).toBe(Date.parse('2026-11-30T10:00:00Z') / 1000);
    expect(requests.slice(0, 2)).toEqual(['?limit=2', '?limit=2&continue=next%2Fpage']);
    expect(auth).toEqual(['Bearer secret-token', 'Bearer secret-token']);
    // Then it watches from the list's resourceVersion.
    await until(() => requests.length === 3);
    expect(new URLSearchParams(requests[2]).get('resourceVersion')).toBe('9');
  });

  it('lists again at once when the continue token expired (410), without backoff', async () => {
    let expired = false;
    const { watcher, requests } = await watch((url, _req, res) => {
      if (!url.searchParams.has('continue'))
        json(res, 200, { metadata: { resourceVersion: '9', continue: 'c' }, items: [node('a'), node('b')] });
      else if (!expired) {
        expired = true;
        json(res, 410, { kind: 'Status', code: 410, reason: 'Expired' });
      } else json(res, 200, { metadata: { resourceVersion: '10' }, items: [node('c')] });
    });
    expect(await watcher.whenSynced(5_000)).toBe(true);
    expect(watcher.size).toBe(3);
    expect(requests.slice(0, 4)).toEqual([
      '?limit=2',
      '?limit=2&continue=c',
      '?limit=2',
      '?limit=2&continue=c',
    ]);
    expect([...watcher.errors]).toEqual([]);
  });

  it.each([
    [403, 'forbidden'],
    [401, 'unauthorized'],
    [500, 'failing'],
  ] as const)('counts HTTP %i as %s and backs off', async (status, state) => {
    const { watcher, requests } = await watch((_url, _req, res) => json(res, status, { kind: 'Status' }));
    await until(() => watcher.state === state);
    expect(watcher.errors.get(state)).toBe(1);
    expect(watcher.synced).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(requests).toHaveLength(1); // the next try is a minute away
  });

  it('gives up on a list page that does not arrive within the request timeout', async () => {
    const { watcher } = await watch(() => {}, 200); // never answers
    await until(() => watcher.state === 'unreachable');
    expect(watcher.errors.get('unreachable')).toBe(1);
  });

  it('applies watch events as the API server writes them, one JSON object a line in any chunks; a bookmark moves on', async () => {
    const watches: string[] = [];
    const event = (type: string, object: object) => `${JSON.stringify({ type, object })}\n`;
    const { watcher, upserted, removed } = await watch(
      (_url, _req, res) =>
        json(res, 200, { metadata: { resourceVersion: '9' }, items: [node('a'), node('b')] }),
      5_000,
      (url, _req, res) => {
        watches.push(url.searchParams.get('resourceVersion') ?? '');
        res.writeHead(200, { 'content-type': 'application/json' });
        if (watches.length > 1) return; // the renewed watch stays open
        /** Node `name` at resourceVersion `version`, as the list had it but for `spec`. */
        const at = (name: string, version: string, spec: object = {}) => ({
          ...node(name),
          metadata: { ...node(name).metadata, resourceVersion: version },
          spec,
        });
        const text =
          event('ADDED', at('c', '10')) +
          event('MODIFIED', at('a', '11', { unschedulable: true })) +
          event('MODIFIED', at('b', '12')) + // a heartbeat: no fact changed
          event('DELETED', at('b', '13')) +
          event('BOOKMARK', { metadata: { resourceVersion: '20' } });
        // Split inside an event: lines are joined before they are parsed.
        res.write(text.slice(0, 37));
        setTimeout(() => res.end(text.slice(37)), 20);
      },
    );
    await until(() => watches.length === 2);
    expect(watches).toEqual(['9', '20']);
    expect(upserted.map((f) => [f.nodeName, f.unschedulable])).toEqual([
      ['a', false],
      ['b', false],
      ['c', false],
      ['a', true],
    ]);
    expect(removed).toEqual(['b']);
    expect(watcher.size).toBe(2);
    expect(watcher.state).toBe('synced');
    expect([...watcher.errors]).toEqual([]);
  });

  it('lists again at once when the watch says its resourceVersion is gone (an ERROR event with 410)', async () => {
    let lists = 0;
    let watches = 0;
    const { watcher } = await watch(
      (_url, _req, res) => {
        lists++;
        json(res, 200, { metadata: { resourceVersion: String(lists) }, items: [node('a')] });
      },
      5_000,
      (_url, _req, res) => {
        watches++;
        res.writeHead(200, { 'content-type': 'application/json' });
        if (watches === 1)
          res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410 } })}\n`);
      },
    );
    await until(() => watches === 2);
    expect(lists).toBe(2);
    expect([...watcher.errors]).toEqual([]);
  });

  it('counts a watch silent for longer than the request timeout as broken, and backs off', async () => {
    const { watcher } = await watch(
      (_url, _req, res) => json(res, 200, { metadata: { resourceVersion: '9' }, items: [node('a')] }),
      300,
    );
    expect(await watcher.whenSynced(5_000)).toBe(true);
    await until(() => watcher.state === 'unreachable');
    expect(watcher.errors.get('unreachable')).toBe(1);
    expect(watcher.size).toBe(1); // the last known Nodes are kept
  });
});
