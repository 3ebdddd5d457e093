import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  HISTORY_RANGE_SECONDS,
  HISTORY_RANGES,
  HISTORY_VALUE_LIMIT,
  type HistoryPoint,
  type HistoryRange,
  type ServerHistory,
} from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Hub } from '../hub/hub';
import { historyWindow, parseHistoryQuery } from './history-query';
import { restoreServers, storeObserver } from './hub-feed';
import { SqliteHistoryStore, STORE_FILE, WRITER_TIMEOUT_MS } from './sqlite-store';
import type { SavedAlert } from './store';

const MINUTE_RETENTION = 48 * 3600;
const QUARTER_RETENTION = 30 * 86_400;
/** A quarter hour's start, so the test's minutes and quarters are easy to count. */
const T0 = 1_700_000_100 - (1_700_000_100 % 900);

const point = (cpu: number, load: number | null = cpu / 10): HistoryPoint => ({
  cpu,
  memory: 50,
  netIn: cpu * 1000,
  netOut: 1,
  diskRead: 2,
  diskWrite: 3,
  load,
});

const alert = (server: string, startsAt: number, fields: Partial<SavedAlert> = {}): SavedAlert => {
  const labels = { alertname: 'HighCpuUsage', severity: 'warning', server_id: server, server_name: server };
  return {
    fingerprint: `fp-${server}`,
    labels: fields.labels ?? labels,
    summary: `CPU usage on ${server} > 90 %`,
    description: `CPU usage on ${server} is 95 %.`,
    activeAt: startsAt - 60_000,
    startsAt,
    ...fields,
  };
};

describe('SqliteHistoryStore', () => {
  let dir: string;
  let now: number;
  const clock = () => now;
  const stores: SqliteHistoryStore[] = [];
  const open = () => {
    const store = new SqliteHistoryStore({
      dir,
      minuteRetention: MINUTE_RETENTION,
      quarterRetention: QUARTER_RETENTION,
      now: clock,
    });
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sss-store-'));
    now = T0 * 1000;
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the average and the maximum of each minute and quarter hour (checked by hand)', async () => {
    const store = open();
    // Minute 0: cpu 10, 20, 60 (load 1, 2, and one report without it); minute 1: cpu 30.
    store.record('a', T0 + 1, point(10));
    store.record('a', T0 + 6, point(20));
    store.record('a', T0 + 11, point(60, null));
    store.record('a', T0 + 61, point(30));
    now = (T0 + 900 + 5) * 1000;
    await store.flush();
    const minutes = store.query('a', '1m', T0, T0 + 900);
    expect(minutes.map((r) => [r.t, r.n, r.nl])).toEqual([
      [T0, 3, 2],
      [T0 + 60, 1, 1],
    ]);
    const hub = new Hub({ intervalSeconds: 5, historySize: 10, now: clock });
    hub.report({ ...seedExample(), serverId: 'a' });
    const state = hub.get('a');
    if (!state) throw new Error('no state');
    const sources = { store, interval: 5, minuteRetention: MINUTE_RETENTION, now: clock };
    const byMinute = historyWindow(state, T0, T0 + 3 * 3600, now / 1000, sources);
    expect(byMinute.tier).toBe('1m');
    expect(byMinute.step).toBe(60);
    expect(byMinute.t.slice(0, 2)).toEqual([T0, T0 + 60]);
    expect(byMinute.cpu.slice(0, 2)).toEqual([30, 30]); // (10 + 20 + 60) / 3, then 30
    expect(byMinute.max?.cpu.slice(0, 2)).toEqual([60, 30]);
    expect(byMinute.netIn.slice(0, 2)).toEqual([30_000, 30_000]);
    expect(byMinute.load.slice(0, 2)).toEqual([1.5, 3]); // (1 + 2) / 2: the report without load does not count
    expect(byMinute.max?.load.slice(0, 2)).toEqual([2, 3]);
    const byQuarter = historyWindow(state, T0, T0 + 7 * 86_400, now / 1000, sources);
    expect(byQuarter.tier).toBe('15m');
    expect(byQuarter.t[0]).toBe(T0);
    expect(byQuarter.cpu[0]).toBe(30); // (10 + 20 + 60 + 30) / 4
    expect(byQuarter.max?.cpu[0]).toBe(60);
    expect(byQuarter.load[0]).toBe(2); // (1 + 2 + 3) / 3
  });

  it('answers null for load in a point where no report carried it', async () => {
    const store = open();
    store.record('old', T0 + 1, point(10, null));
    now = (T0 + 120) * 1000;
    await store.flush();
    const [row] = store.query('old', '1m', T0, T0 + 60);
    expect(row?.nl).toBe(0);
    const hub = new Hub({ intervalSeconds: 5, historySize: 10, now: clock });
    const state = hub.report({ ...seedExample(), serverId: 'old' });
    const answer = historyWindow(state, T0, T0 + 7200, now / 1000, {
      store,
      interval: 5,
      minuteRetention: MINUTE_RETENTION,
      now: clock,
    });
    expect(answer.load[0]).toBeNull();
    expect(answer.max?.load[0]).toBeNull();
    expect(answer.cpu[0]).toBe(10);
  });

  it('stores values beyond float32 as the largest finite ones, NaN as 0', async () => {
    const store = open();
    store.record('big', T0 + 1, {
      ...point(1),
      netIn: 1e300,
      netOut: Number.POSITIVE_INFINITY,
      cpu: Number.NaN,
    });
    store.record('big', T0 + 2, { ...point(1), netIn: 1e300, netOut: -1e300, cpu: 4 });
    now = (T0 + 120) * 1000;
    await store.flush();
    const hub = new Hub({ intervalSeconds: 5, historySize: 10, now: clock });
    const state = hub.report({ ...seedExample(), serverId: 'big' });
    const answer = historyWindow(state, T0, T0 + 7200, now / 1000, {
      store,
      interval: 5,
      minuteRetention: MINUTE_RETENTION,
      now: clock,
    });
    const values = [
      answer.netIn[0],
      answer.netOut[0],
      answer.max?.netIn[0],
      answer.max?.netOut[0],
      answer.cpu[0],
    ];
    for (const v of values) expect(Number.isFinite(v)).toBe(true);
    expect(answer.netIn[0]).toBeCloseTo(HISTORY_VALUE_LIMIT, -30);
    expect(answer.cpu[0]).toBe(2); // (0 + 4) / 2
  });

  it('turns itself off once, with one call, when the file is not a database', async () => {
    writeFileSync(
      join(dir, STORE_FILE),
      'this is no SQLite file, just text long enough to fill a header.'.repeat(100),
    );
    const downs: string[] = [];
    const store = new SqliteHistoryStore({
      dir,
      minuteRetention: MINUTE_RETENTION,
      quarterRetention: QUARTER_RETENTION,
      now: clock,
      onDown: (err, during) => downs.push(`${during}: ${err.message}`),
    });
    expect(store.up).toBe(false);
    store.record('a', T0, point(1));
    await store.flush();
    expect(store.query('a', '1m', 0, T0 + 60)).toEqual([]);
    expect(store.loadStates()).toEqual([]);
    expect(downs).toHaveLength(1);
    expect(downs[0]).toMatch(/^open: file is not a database/);
    expect(store.errors).toBe(1);
  });

  it('after 31 days of reports at 5 s: every range answers the expected points from the expected tier, nothing older than retention remains, a restart lists every server', async () => {
    const INTERVAL = 5;
    const END = T0 + 31 * 86_400 + 37; // not on a minute: the open minute and quarter hour are part of the answers
    const store = open();
    const hub = new Hub({ intervalSeconds: INTERVAL, historySize: 720, now: clock });
    hub.observer = storeObserver(store);
    const reports = ['a', 'b', 'c'].map((id) => ({ ...seedExample(), serverId: id, serverName: id }));
    let lastFlush = T0;
    let lastPrune = T0;
    let cLast = 0;
    for (let t = T0 + 2; t <= END; t += INTERVAL) {
      now = t * 1000;
      if (t <= T0 + 12 * 3600) cLast = t;
      for (const [i, report] of reports.entries()) {
        // c reports for the first 12 hours only, then goes offline for good.
        if (i === 2 && t > T0 + 12 * 3600) continue;
        report.cpu.percent = ((t / INTERVAL) % 100) + i;
        hub.report(report);
      }
      if (t === T0 + 12 * 3600 + 2 + 15) hub.sweep();
      if (t - lastFlush >= 10) {
        await store.flush();
        lastFlush = t;
      }
      if (t - lastPrune >= 600) {
        await store.prune();
        lastPrune = t;
      }
    }
    hub.sweep();
    await store.prune();
    const nowS = now / 1000; // the last report's time
    const sources = { store, interval: INTERVAL, minuteRetention: MINUTE_RETENTION, now: clock };
    const answer = (id: string, range: HistoryRange): ServerHistory => {
      const request = parseHistoryQuery({ range }, nowS);
      if ('limit' in request) throw new Error('not a window');
      const state = hub.get(id);
      if (!state) throw new Error(`no ${id}`);
      return historyWindow(state, request.from, request.to, nowS, sources);
    };
    // Points whose start lies in [floor(from / step) * step, now]: a tier's points over the span plus the open one.
    const expected: Record<HistoryRange, { tier: string; points: number }> = {
      '1h': { tier: 'raw', points: 720 }, // the ring: 720 reports, the hour's 721st is the one it dropped
      '6h': { tier: '1m', points: 6 * 60 + 1 },
      '24h': { tier: '1m', points: 24 * 60 + 1 },
      '7d': { tier: '15m', points: 7 * 96 + 1 },
      // from = now - 30 d lies in a quarter hour that started before the retention cut: that one is gone.
      '30d': { tier: '15m', points: 30 * 96 },
    };
    for (const range of HISTORY_RANGES) {
      for (const id of ['a', 'b']) {
        const h = answer(id, range);
        expect({ range, tier: h.tier, points: h.t.length }).toEqual({ range, ...expected[range] });
        expect(h.cpu).toHaveLength(h.t.length);
        expect(h.t.at(-1)).toBeLessThanOrEqual(nowS);
        expect((h.t[0] as number) + (h.step as number)).toBeGreaterThan(nowS - HISTORY_RANGE_SECONDS[range]);
        if (h.tier !== 'raw') expect(h.max?.cpu).toHaveLength(h.t.length);
      }
    }
    // The open minute is in the 6 h answer: it ends now.
    expect(answer('a', '6h').t.at(-1)).toBe(Math.floor(nowS / 60) * 60);
    // c went offline after 12 hours, 30 days ago: its 15-minute points aged out, its state did not.
    expect(answer('c', '30d').t).toEqual([]);
    expect(hub.get('c')?.online).toBe(false);

    await store.close();
    const file = new Database(join(dir, STORE_FILE), { readonly: true });
    try {
      const oldest = (table: string) =>
        (file.prepare(`SELECT min(t) AS t FROM ${table}`).get() as { t: number }).t;
      expect(oldest('minute')).toBeGreaterThanOrEqual(nowS - MINUTE_RETENTION);
      expect(oldest('quarter')).toBeGreaterThanOrEqual(nowS - QUARTER_RETENTION);
      const perServer = file.prepare('SELECT server, count(*) AS n FROM minute GROUP BY server').all();
      expect(perServer).toHaveLength(2); // c has no minute left
    } finally {
      file.close();
    }

    // A restart: every server listed at once, offline, with its last report time; the history is there.
    now += 60_000;
    const again = open();
    const restartS = now / 1000;
    const restarted = new Hub({ intervalSeconds: INTERVAL, historySize: 720, now: clock });
    expect(restoreServers(again, restarted)).toBe(3);
    expect([...restarted.list()].map((s) => [s.id, s.online, s.lastSeen])).toEqual([
      ['a', false, nowS * 1000],
      ['b', false, nowS * 1000],
      ['c', false, cLast * 1000],
    ]);
    const state = restarted.get('a');
    if (!state) throw new Error('a not restored');
    const afterRestart = historyWindow(state, restartS - 3600, restartS, restartS, {
      ...sources,
      store: again,
    });
    expect(afterRestart.tier).toBe('1m'); // the ring is empty, the store has the hour
    expect(afterRestart.t.at(-1)).toBe(Math.floor(nowS / 60) * 60); // the minute open at the stop was written
  }, 300_000);

  it('after a kill, keeps what the last flush wrote: the open minute and what closed since are lost', async () => {
    const store = open();
    store.saveState({ id: 'a', lastSeen: T0 * 1000, message: Buffer.from('{}') }, true);
    for (let t = T0; t < T0 + 300; t += 5) store.record('a', t, point(t - T0));
    now = (T0 + 241) * 1000;
    await store.flush(); // minutes 0-3 written; minute 4 open
    for (let t = T0 + 300; t < T0 + 400; t += 5) store.record('a', t, point(1)); // closes minute 4, not flushed
    // No close(): the process died. A new process opens the same file.
    const again = open();
    expect(again.query('a', '1m', T0, T0 + 3600).map((r) => r.t)).toEqual([T0, T0 + 60, T0 + 120, T0 + 180]);
  });

  it('keeps alert transitions: firing ones are restored, resolved ones answered by window, severity and server', async () => {
    const store = open();
    const t = T0 * 1000;
    store.recordAlert(alert('a', t, { value: 95 }));
    store.recordAlert(alert('b', t + 1_000));
    store.recordAlert(
      alert('c', t + 2_000, { labels: { alertname: 'Down', severity: 'critical', server_id: 'c' } }),
    );
    now = t + 10_000;
    await store.flush();
    // a resolves; then a fires again and resolves once more; c resolves. One flush writes the latest of each.
    store.recordAlert(alert('a', t, { endsAt: t + 20_000, value: 80 }));
    store.recordAlert(alert('a', t + 30_000));
    store.recordAlert(alert('a', t + 30_000, { endsAt: t + 40_000 }));
    store.recordAlert(
      alert('c', t + 2_000, {
        endsAt: t + 50_000,
        labels: { alertname: 'Down', severity: 'critical', server_id: 'c' },
      }),
    );
    now = t + 60_000;
    await store.flush();
    store.recordAlert(alert('b', t + 1_000, { endsAt: t + 70_000 })); // not flushed: lost with a kill

    const again = open();
    expect(again.loadFiringAlerts()).toEqual([alert('b', t + 1_000)]);
    const all = { from: 0, to: t + 3_600_000, limit: 100 };
    const ends = (list: SavedAlert[]) => list.map((a) => `${a.labels.server_id}@${(a.endsAt ?? 0) - t}`);
    expect(ends(again.queryAlerts(all))).toEqual(['c@50000', 'a@40000', 'a@20000']);
    expect(again.queryAlerts({ ...all, limit: 1 })[0]).toEqual(
      alert('c', t + 2_000, {
        endsAt: t + 50_000,
        labels: { alertname: 'Down', severity: 'critical', server_id: 'c' },
      }),
    );
    expect(again.queryAlerts(all).at(-1)).toEqual(alert('a', t, { endsAt: t + 20_000, value: 80 }));
    expect(ends(again.queryAlerts({ ...all, severity: ['warning'] }))).toEqual(['a@40000', 'a@20000']);
    expect(ends(again.queryAlerts({ ...all, server: ['c', 'x'] }))).toEqual(['c@50000']);
    // Active at some time in [from, to]: a's first firing ended at +20 s, its second started at +30 s.
    expect(ends(again.queryAlerts({ ...all, from: t + 25_000, to: t + 29_000 }))).toEqual(['c@50000']);
    expect(ends(again.queryAlerts({ ...all, from: t + 20_000, to: t + 30_000 }))).toEqual([
      'c@50000',
      'a@40000',
      'a@20000',
    ]);
  });

  it("keeps an alert's parts for the ui (about), and adds their column to a file of schema 1", async () => {
    // A file as the first schema wrote it, with a firing alert.
    const t = T0 * 1000;
    const old = new Database(join(dir, STORE_FILE));
    old.exec(`CREATE TABLE alerts (fingerprint TEXT NOT NULL, starts_at INTEGER NOT NULL,
      ends_at INTEGER, active_at INTEGER NOT NULL, server_id TEXT NOT NULL, severity TEXT NOT NULL,
      labels TEXT NOT NULL, summary TEXT NOT NULL, description TEXT NOT NULL, value REAL,
      PRIMARY KEY (fingerprint, starts_at))`);
    const before = alert('a', t);
    old
      .prepare('INSERT INTO alerts VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, NULL)')
      .run(
        before.fingerprint,
        t,
        before.activeAt,
        'a',
        'warning',
        JSON.stringify(before.labels),
        before.summary,
        before.description,
      );
    old.pragma('user_version = 1');
    old.close();

    const store = open();
    expect(store.loadFiringAlerts()).toEqual([before]);
    const about = { kind: 'cpu' as const, operator: '>', threshold: 90 };
    store.recordAlert(alert('b', t + 1_000, { about }));
    await store.flush();
    expect(open().loadFiringAlerts()).toEqual([before, alert('b', t + 1_000, { about })]);
    const file = new Database(join(dir, STORE_FILE), { readonly: true });
    expect(file.pragma('user_version', { simple: true })).toBe(2);
    file.close();
  });

  it('opens a file of schema 1 written before the alerts table existed', async () => {
    const old = new Database(join(dir, STORE_FILE));
    old.exec('CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)');
    old.pragma('user_version = 1');
    old.close();
    const store = open();
    const about = { kind: 'offline' as const };
    store.recordAlert(alert('a', T0 * 1000, { about }));
    await store.flush();
    expect(store.up).toBe(true);
    expect(open().loadFiringAlerts()).toEqual([alert('a', T0 * 1000, { about })]);
  });

  it('deletes resolved alerts past the 15-minute retention in the retention pass, never a firing one', async () => {
    const store = open();
    const t = T0 * 1000;
    store.recordAlert(alert('firing', t));
    for (let i = 0; i < 1_200; i++) store.recordAlert(alert(`old-${i}`, t + i, { endsAt: t + 60_000 + i }));
    store.recordAlert(alert('recent', t + 10 * 86_400_000, { endsAt: t + 10 * 86_400_000 + 60_000 }));
    now = t + 11 * 86_400_000;
    await store.flush();
    await store.prune();
    expect(store.queryAlerts({ from: 0, to: now, limit: 10_000 })).toHaveLength(1_201);
    now = t + 60_000 + 600 + QUARTER_RETENTION * 1000; // 600 of the old ones are past retention
    await store.prune();
    const left = store.queryAlerts({ from: 0, to: now, limit: 10_000 });
    expect(left).toHaveLength(601);
    expect(left.at(-1)?.labels.server_id).toBe('old-600');
    now = t + 12 * 86_400_000 + QUARTER_RETENTION * 1000;
    await store.prune();
    expect(store.queryAlerts({ from: 0, to: now, limit: 10_000 })).toEqual([]);
    expect(store.loadFiringAlerts()).toEqual([alert('firing', t)]);
  });

  it('forgets a removed server: its state and its points', async () => {
    const store = open();
    for (const id of ['gone', 'kept']) {
      store.saveState({ id, lastSeen: T0 * 1000, message: Buffer.from(`{"serverId":"${id}"}`) }, true);
      store.record(id, T0 + 1, point(1));
    }
    now = (T0 + 120) * 1000;
    await store.flush();
    store.remove('gone');
    await store.flush();
    const again = open();
    expect(again.loadStates().map((s) => s.id)).toEqual(['kept']);
    expect(again.query('gone', '1m', 0, T0 + 3600)).toEqual([]);
    expect(again.query('kept', '1m', 0, T0 + 3600)).toHaveLength(1);
  });

  it('a removed server that reports again before the next flush is saved anew, and the store stays up', async () => {
    const downs: string[] = [];
    const store = new SqliteHistoryStore({
      dir,
      minuteRetention: MINUTE_RETENTION,
      quarterRetention: QUARTER_RETENTION,
      now: clock,
      onDown: (err) => downs.push(err.message),
    });
    stores.push(store);
    const state = (lastSeen: number) => ({
      id: 'back',
      lastSeen,
      message: Buffer.from('{"serverId":"back"}'),
    });
    store.saveState(state(T0 * 1000), true);
    store.record('back', T0 + 1, point(1));
    now = (T0 + 120) * 1000;
    // Removed and saved again while the old key's rows are still in flight.
    const first = store.flush();
    store.remove('back');
    store.saveState(state(now), true);
    store.record('back', T0 + 121, point(2));
    await first;
    now = (T0 + 240) * 1000;
    await store.flush();
    expect(downs).toEqual([]);
    expect(store.up).toBe(true);
    const again = open();
    expect(again.loadStates().map((s) => [s.id, s.lastSeen])).toEqual([['back', (T0 + 120) * 1000]]);
    expect(again.query('back', '1m', 0, T0 + 3600).map((r) => r.t)).toEqual([T0 + 120]);
  });

  it('sends no flush while one is unanswered; what waits is written by the next', async () => {
    const store = open();
    store.saveState({ id: 'a', lastSeen: T0 * 1000, message: Buffer.from('{"serverId":"a"}') }, true);
    store.record('a', T0 + 1, point(1));
    now = (T0 + 65) * 1000;
    const first = store.flush();
    store.record('a', T0 + 66, point(2));
    now = (T0 + 75) * 1000;
    expect(await store.flush()).toBe(0); // the first is in flight: nothing sent
    expect(store.query('a', '1m', 0, T0 + 3600).map((r) => r.t)).toEqual([T0, T0 + 60]);
    await first;
    now = (T0 + 125) * 1000;
    await store.flush();
    expect(
      open()
        .query('a', '1m', 0, T0 + 3600)
        .map((r) => [r.t, r.n]),
    ).toEqual([
      [T0, 1],
      [T0 + 60, 1],
    ]);
  });

  /**
   * A worker that counts what it is sent and never answers stands in for a writer stuck on a stalled disk (a hung
   * NFS mount cannot be made here).
   */
  const hungWriter = (received: Int32Array) => () =>
    new Worker(
      `const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
       parentPort.on('message', () => Atomics.add(workerData, 0, 1));`,
      { eval: true, workerData: received },
    );

  it('fails when the writer has not answered a flush for WRITER_TIMEOUT_MS, having sent it nothing more', async () => {
    const received = new Int32Array(new SharedArrayBuffer(4));
    const downs: [string, string][] = [];
    const store = new SqliteHistoryStore({
      dir,
      minuteRetention: MINUTE_RETENTION,
      quarterRetention: QUARTER_RETENTION,
      now: clock,
      elapsed: clock,
      onDown: (err, during) => downs.push([err.message, during]),
      startWriter: hungWriter(received),
    });
    stores.push(store);
    store.record('a', T0 + 1, point(1));
    now = (T0 + 60) * 1000;
    const first = store.flush();
    for (let t = 70; t < 60 + WRITER_TIMEOUT_MS / 1000; t += 10) {
      store.record('a', T0 + t, point(2));
      now = (T0 + t) * 1000;
      expect(await store.flush()).toBe(0);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(Atomics.load(received, 0)).toBe(1);
    expect(store.up).toBe(true);
    expect(store.query('a', '1m', 0, T0 + 3600).map((r) => r.t)).toEqual([T0, T0 + 60]);
    now = (T0 + 60) * 1000 + WRITER_TIMEOUT_MS;
    await store.flush();
    expect(downs).toEqual([['the writer has not answered for 60 s', 'flush']]);
    expect(store.up).toBe(false);
    expect(await first).toBe(0);
    expect(store.query('a', '1m', 0, T0 + 3600)).toEqual([]);
    await store.close();
  });

  it("counts the writer's silence on its own clock, not the hub's, which a seed or a test moves by days", async () => {
    const store = open();
    store.record('a', T0 + 1, point(1));
    now = (T0 + 60) * 1000;
    const first = store.flush();
    now += 2 * WRITER_TIMEOUT_MS; // while the writer works on the first flush
    store.record('a', now / 1000, point(2));
    await store.flush();
    expect(await first).toBeGreaterThanOrEqual(0);
    expect(store.up).toBe(true);
    await store.close();
  });

  it('a close with a writer that never answers gives up after a few seconds and fails the store', async () => {
    const downs: string[] = [];
    const store = new SqliteHistoryStore({
      dir,
      minuteRetention: MINUTE_RETENTION,
      quarterRetention: QUARTER_RETENTION,
      now: clock,
      onDown: (_err, during) => downs.push(during),
      startWriter: hungWriter(new Int32Array(new SharedArrayBuffer(4))),
    });
    store.record('a', T0 + 1, point(1));
    await store.close();
    expect(downs).toEqual(['close']);
    expect(store.up).toBe(false);
  });

  it('restores no saved state that fails the report validation, and says which', async () => {
    const store = open();
    const good = { ...seedExample(), serverId: 'good', online: true, lastSeen: T0 };
    const bad = { serverId: 'bad', online: true, lastSeen: T0 };
    const saved = { good, bad, other: { ...good, serverId: 'web-1' } };
    for (const [id, view] of Object.entries(saved)) {
      store.saveState({ id, lastSeen: T0 * 1000, message: Buffer.from(JSON.stringify(view)) }, true);
    }
    await store.flush();
    const hub = new Hub({ intervalSeconds: 5, historySize: 10, now: clock });
    const skipped: string[] = [];
    expect(restoreServers(open(), hub, (id) => skipped.push(id))).toBe(1);
    expect(skipped.sort()).toEqual(['bad', 'other']);
    expect([...hub.list()].map((state) => [state.id, state.online])).toEqual([['good', false]]);
  });
});
