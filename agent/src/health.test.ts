import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { healthAnswer, startHealthServer } from './health';

const servers: { close: () => void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

it('answers GET /healthz with 200 while alive, 503 when stalled, 404 elsewhere, over real HTTP', async () => {
  let alive = true;
  const server = await startHealthServer('127.0.0.1', 0, () => alive);
  servers.push(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ok = await fetch(`${url}/healthz?probe=1`);
  expect([ok.status, await ok.json()]).toEqual([200, { status: 'ok' }]);
  alive = false;
  const stalled = await fetch(`${url}/healthz`);
  expect([stalled.status, await stalled.json()]).toEqual([503, { status: 'collection loop stalled' }]);
  expect((await fetch(`${url}/metrics`)).status).toBe(404);
  expect((await fetch(`${url}/healthz`, { method: 'POST', body: 'x' })).status).toBe(404);
  expect(healthAnswer('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', () => true)).toMatch(
    /^HTTP\/1\.1 200 OK\r\n.*Content-Length: 15\r\nConnection: close\r\n\r\n\{"status":"ok"\}$/s,
  );
});
