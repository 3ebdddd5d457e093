// Issue 10, acceptance 1 and 3: the history store across a kill -9, and a corrupt file, a read-only data folder
// and a full disk, each of which leaves live monitoring working.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FrontendServerInfo, ServerHistory, ServerInfo } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { connectReporter, opened, sendReport } from './support/clients';
import { sampleValue, scrape } from './support/metrics';
import { type Dashboard, startDashboard, stopAll } from './support/processes';
import { inCI } from './support/tools';

const SERVERS = 20;
const STORE_FILE = 'history.db';
const DOWN_MESSAGE = /^history store failed and is off/;

async function get<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const report = (n: number, t: number): ServerInfo => {
  const info = seedExample();
  info.serverId = `srv-${n}`;
  info.serverName = `Server ${n}`;
  info.cpu.percent = (n + t) % 100;
  return info;
};

/** SERVERS reporters on raw WebSockets, each sending a report every second until stopped. */
async function reportAll(dashboard: Dashboard): Promise<() => void> {
  const sockets: WebSocket[] = [];
  for (let n = 0; n < SERVERS; n++)
    sockets.push(connectReporter(dashboard.wsUrl, `srv-${n}`, dashboard.secret));
  await Promise.all(sockets.map((ws) => opened(ws)));
  let tick = 0;
  const send = () => {
    tick++;
    sockets.forEach((ws, n) => {
      if (ws.readyState === ws.OPEN) sendReport(ws, report(n, tick));
    });
  };
  send();
  const timer = setInterval(send, 1_000);
  return () => {
    clearInterval(timer);
    for (const ws of sockets) ws.terminate();
  };
}

/** Mounts a tmpfs (root only); returns undefined when this machine does not let us, which fails under CI=true. */
function mountTmpfs(dir: string, options: string): (() => void) | undefined {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe', timeout: 10_000 });
  } catch (err) {
    if (inCI) throw err;
    console.warn(`skipping: cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]})`);
    return undefined;
  }
  return () => execFileSync('umount', [dir], { stdio: 'pipe', timeout: 10_000 });
}

describe('history store', () => {
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    await stopAll();
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sss-history-e2e-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };

  it('after kill -9 with 20 servers reporting, lists every server at once (offline) with its history; they go online as they report', async () => {
    const dataDir = tempDir();
    const env = { SSS_DATA_DIR: dataDir, SSS_INTERVAL: '1' };
    const first = await startDashboard(env);
    const stopReports = await reportAll(first);
    cleanups.push(stopReports);
    // Wait for a flush that wrote a closed minute of every server (a minute boundary, then at most 10 s).
    const file = join(dataDir, STORE_FILE);
    await until(
      'a closed minute of every server in the file',
      () => {
        const db = new Database(file, { readonly: true, fileMustExist: true });
        try {
          const n = (db.prepare('SELECT count(DISTINCT server) AS n FROM minute').get() as { n: number }).n;
          return n === SERVERS ? true : undefined;
        } finally {
          db.close();
        }
      },
      90_000,
    );
    const killedAt = Date.now() / 1000;
    await first.stop('SIGKILL');
    stopReports();

    const second = await startDashboard({ ...env, SSS_AUTH_SECRET: first.secret });
    const listed = await get<FrontendServerInfo[]>(`${second.url}/api/servers`);
    expect(listed.map((s) => s.serverId).sort()).toEqual(
      Array.from({ length: SERVERS }, (_, n) => `srv-${n}`).sort(),
    );
    for (const server of listed) {
      expect(server.online).toBe(false);
      expect(server.serverName).toBe(server.serverId.replace('srv-', 'Server '));
      // The state is written at most a minute apart while a server reports, and at once when it is new.
      expect(server.lastSeen).toBeGreaterThan(killedAt - 75);
      expect(server.lastSeen).toBeLessThanOrEqual(killedAt);
    }
    expect(second.lines.find((l) => l.msg === 'history store opened')).toMatchObject({ servers: SERVERS });
    for (let n = 0; n < SERVERS; n++) {
      const history = await get<ServerHistory>(`${second.url}/api/servers/srv-${n}/history?range=1h`);
      expect(history.tier).toBe('1m'); // the ring is empty after the restart; the store has the hour
      const newest = history.t.at(-1) ?? 0;
      // Lost at most: the minute open at the kill and what closed in the last flush interval (10 s).
      expect(newest + 60).toBeGreaterThanOrEqual(killedAt - 60 - 10);
      expect(history.max?.cpu).toHaveLength(history.t.length);
    }

    const resume = await reportAll(second);
    cleanups.push(resume);
    await until(
      'every server online again',
      async () => {
        const servers = await get<FrontendServerInfo[]>(`${second.url}/api/servers`);
        return servers.length === SERVERS && servers.every((s) => s.online) ? true : undefined;
      },
      10_000,
    );
  }, 150_000);

  it('a server removed with DELETE stays removed after a restart', async () => {
    const dataDir = tempDir();
    const env = { SSS_DATA_DIR: dataDir, SSS_INTERVAL: '1' };
    const first = await startDashboard(env);
    for (const id of ['kept', 'removed']) {
      const ws = connectReporter(first.wsUrl, id, first.secret);
      cleanups.push(() => ws.terminate());
      await opened(ws);
      sendReport(ws, { ...seedExample(), serverId: id, serverName: id });
    }
    await until(
      'both listed',
      async () =>
        (await get<FrontendServerInfo[]>(`${first.url}/api/servers`)).length === 2 ? true : undefined,
      5_000,
    );
    const removed = await fetch(`${first.url}/api/servers/removed`, {
      method: 'DELETE',
      headers: { 'X-AUTH-SECRET': first.secret },
      signal: AbortSignal.timeout(5_000),
    });
    expect(removed.status).toBe(204);
    await first.stop('SIGTERM');
    const second = await startDashboard({ ...env, SSS_AUTH_SECRET: first.secret });
    const listed = await get<FrontendServerInfo[]>(`${second.url}/api/servers`);
    expect(listed.map((s) => [s.serverId, s.online])).toEqual([['kept', false]]);
  }, 30_000);

  it('a server deleted while it reports is saved again under a new key; the store stays up', async () => {
    const dataDir = tempDir();
    const dashboard = await startDashboard({ SSS_DATA_DIR: dataDir, SSS_INTERVAL: '1' });
    const stopReports = await reportAll(dashboard);
    cleanups.push(stopReports);
    const file = join(dataDir, STORE_FILE);
    const keyOf = (id: string) => {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        return (db.prepare('SELECT key FROM servers WHERE id = ?').get(id) as { key: number } | undefined)
          ?.key;
      } finally {
        db.close();
      }
    };
    const oldKey = await until('srv-0 saved', () => keyOf('srv-0'), 20_000);
    const removed = await fetch(`${dashboard.url}/api/servers/srv-0`, {
      method: 'DELETE',
      headers: { 'X-AUTH-SECRET': dashboard.secret },
      signal: AbortSignal.timeout(5_000),
    });
    expect(removed.status).toBe(204);
    // Its next report (within a second) gives it a new key: written by the next flush with the removal.
    const newKey = await until(
      'srv-0 saved under a new key',
      () => {
        const key = keyOf('srv-0');
        return key !== undefined && key !== oldKey ? key : undefined;
      },
      25_000,
    );
    expect(newKey).toBeGreaterThan(oldKey);
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM minute WHERE server = ?').get(oldKey)).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    expect(sampleValue(await scrape(dashboard.url), 'sss_history_store_up')).toBe(1);
    expect(dashboard.lines.filter((l) => DOWN_MESSAGE.test(String(l.msg)))).toEqual([]);
    const history = await get<ServerHistory>(`${dashboard.url}/api/servers/srv-0/history?limit=1`);
    expect(history.t).toHaveLength(1);
  }, 60_000);

  /** Live monitoring with a failed store: the one log line, the metrics, servers online, the ring answering. */
  async function expectLiveWithoutStore(dashboard: Dashboard) {
    const line = await dashboard.waitForLog((l) => DOWN_MESSAGE.test(String(l.msg)), 20_000);
    expect(line.level).toBe(50); // error
    const samples = await scrape(dashboard.url);
    expect(sampleValue(samples, 'sss_history_store_up')).toBe(0);
    expect(sampleValue(samples, 'sss_history_store_errors_total')).toBeGreaterThanOrEqual(1);
    const servers = await until(
      'the servers online',
      async () => {
        const list = await get<FrontendServerInfo[]>(`${dashboard.url}/api/servers`);
        return list.length === SERVERS && list.every((s) => s.online) ? list : undefined;
      },
      10_000,
    );
    const before = servers[0]?.lastSeen ?? 0;
    await until(
      'a newer report',
      async () =>
        (await get<FrontendServerInfo>(`${dashboard.url}/api/servers/srv-0`)).lastSeen > before
          ? true
          : undefined,
      5_000,
    );
    const history = await get<ServerHistory>(`${dashboard.url}/api/servers/srv-0/history?range=24h`);
    expect(history.tier).toBe('raw');
    expect(history.t.length).toBeGreaterThan(0);
    expect((await get<ServerHistory>(`${dashboard.url}/api/servers/srv-0/history?limit=1`)).t).toHaveLength(
      1,
    );
    expect(dashboard.lines.filter((l) => DOWN_MESSAGE.test(String(l.msg)))).toHaveLength(1);
    expect(dashboard.child.exitCode).toBeNull();
  }

  it('a corrupt database file: the store is off, live monitoring goes on', async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, STORE_FILE), Buffer.alloc(64 * 1024, 'not a database '));
    const dashboard = await startDashboard({ SSS_DATA_DIR: dataDir, SSS_INTERVAL: '1' });
    cleanups.push(await reportAll(dashboard));
    await expectLiveWithoutStore(dashboard);
  }, 60_000);

  it('a read-only data folder: the store is off, live monitoring goes on', async (ctx) => {
    const dataDir = join(tempDir(), 'ro');
    const unmount = mountTmpfs(dataDir, 'ro,size=1m');
    if (!unmount) return ctx.skip();
    cleanups.push(unmount);
    const dashboard = await startDashboard({ SSS_DATA_DIR: dataDir, SSS_INTERVAL: '1' });
    cleanups.push(await reportAll(dashboard));
    await expectLiveWithoutStore(dashboard);
  }, 60_000);

  it('a full disk: the store is off at the first write that fails, live monitoring goes on', async (ctx) => {
    const dataDir = join(tempDir(), 'small');
    const unmount = mountTmpfs(dataDir, 'size=512k');
    if (!unmount) return ctx.skip();
    cleanups.push(unmount);
    const dashboard = await startDashboard({ SSS_DATA_DIR: dataDir, SSS_INTERVAL: '1' });
    expect(sampleValue(await scrape(dashboard.url), 'sss_history_store_up')).toBe(1);
    // Fill what is left; the next flush (new servers' states are written at once) cannot grow the file.
    try {
      for (let i = 0; ; i++) writeFileSync(join(dataDir, `filler-${i}`), Buffer.alloc(16 * 1024));
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    cleanups.push(await reportAll(dashboard));
    await expectLiveWithoutStore(dashboard);
  }, 60_000);
});
