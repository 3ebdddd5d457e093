import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryPoint } from '@sss/protocol';
import Database from 'better-sqlite3';
import { Accumulator, ROLLUP_STEP, type RollupRow, type RollupTier } from './rollup';
import type { HistoryStore, SavedServer } from './store';

export const STORE_FILE = 'history.db';
/** A reporting server's state is written at most this often (and at once when it is new or goes offline). */
const STATE_EVERY_MS = 60_000;
/** Rows deleted by retention before it yields to the event loop. */
const PRUNE_BATCH_ROWS = 2_000;
const SCHEMA_VERSION = 1;

export interface SqliteStoreOptions {
  dir: string;
  /** Seconds 1-minute points are kept. */
  minuteRetention: number;
  /** Seconds 15-minute points are kept. */
  quarterRetention: number;
  /** Milliseconds since the epoch; the hub's clock. */
  now?: () => number;
  /** The store failed and is off from now on: called once. */
  onDown?: (err: Error, during: string) => void;
}

/** One server's open rollups and bookkeeping. */
interface Track {
  key: number;
  readonly minute: Accumulator;
  readonly quarter: Accumulator;
  /** When its state was written last, ms; 0 never. */
  saved: number;
}

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The embedded HistoryStore: one SQLite file in WAL mode. Reports only touch the in-memory minute sums; a closed
 * minute becomes a row and is merged into its quarter hour; `flush` (the caller's timer) writes the closed rows
 * and the due states in one transaction; `prune` deletes points past retention a batch at a time.
 * A kill -9 loses the open minute and what closed since the last flush; the open quarter hour is rebuilt from
 * its stored minutes at start.
 */
export class SqliteHistoryStore implements HistoryStore {
  up = false;
  /** Failures seen (the one that turned the store off, or none). */
  errors = 0;
  private failed = false;
  private db: Database.Database | undefined;
  private readonly now: () => number;
  private readonly tracks = new Map<string, Track>();
  /** Every server's key in the file, including servers that do not report now. */
  private readonly keys = new Map<string, number>();
  private nextKey = 1;
  private pendingMinutes: { key: number; row: RollupRow }[] = [];
  private pendingQuarters: { key: number; row: RollupRow }[] = [];
  private readonly dirty = new Map<string, { server: SavedServer; now: boolean }>();
  private removals: number[] = [];
  private statements!: ReturnType<SqliteHistoryStore['prepare']>;

  constructor(private readonly options: SqliteStoreOptions) {
    this.now = options.now ?? Date.now;
    this.guard('open', () => {
      mkdirSync(options.dir, { recursive: true });
      const db = new Database(join(options.dir, STORE_FILE));
      this.db = db;
      db.pragma('journal_mode = WAL');
      // Durable across a crash of the process (the OS has the pages); a power cut may lose the last commits.
      db.pragma('synchronous = NORMAL');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION)
        throw new Error(`the file has schema ${version}, newer than this dashboard's`);
      db.exec(`
        CREATE TABLE IF NOT EXISTS servers (key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
          last_seen INTEGER NOT NULL, message BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS minute (server INTEGER NOT NULL, t INTEGER NOT NULL, n INTEGER NOT NULL,
          nl INTEGER NOT NULL, v BLOB NOT NULL, PRIMARY KEY (server, t)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS quarter (server INTEGER NOT NULL, t INTEGER NOT NULL, n INTEGER NOT NULL,
          nl INTEGER NOT NULL, v BLOB NOT NULL, PRIMARY KEY (server, t)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      `);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      this.statements = this.prepare(db);
      for (const { key, id } of db.prepare('SELECT key, id FROM servers').all() as {
        key: number;
        id: string;
      }[]) {
        this.keys.set(id, key);
        this.nextKey = Math.max(this.nextKey, key + 1);
      }
      this.up = true;
      this.recoverQuarters();
    });
  }

  private prepare(db: Database.Database) {
    const rows = (table: string) => ({
      insert: db.prepare(`INSERT OR REPLACE INTO ${table} (server, t, n, nl, v) VALUES (?, ?, ?, ?, ?)`),
      range: db.prepare(`SELECT t, n, nl, v FROM ${table} WHERE server = ? AND t >= ? AND t <= ? ORDER BY t`),
      first: db.prepare(`SELECT min(t) AS t FROM ${table} WHERE server = ?`),
      prune: db.prepare(`DELETE FROM ${table} WHERE server = ? AND t < ?`),
      removeServer: db.prepare(`DELETE FROM ${table} WHERE server = ?`),
    });
    return {
      '1m': rows('minute'),
      '15m': rows('quarter'),
      saveServer: db.prepare(
        'INSERT INTO servers (key, id, last_seen, message) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (key) DO UPDATE SET last_seen = excluded.last_seen, message = excluded.message',
      ),
      removeServer: db.prepare('DELETE FROM servers WHERE key = ?'),
      getMeta: db.prepare('SELECT value FROM meta WHERE name = ?'),
      setMeta: db.prepare('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)'),
      states: db.prepare('SELECT id, last_seen, message FROM servers'),
    };
  }

  /** Runs `fn`; any failure turns the store off for good (one call of onDown). */
  private guard<T>(during: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.fail(err as Error, during);
      return undefined;
    }
  }

  private fail(err: Error, during: string): void {
    this.errors++;
    if (this.failed) return;
    this.failed = true;
    this.up = false;
    this.tracks.clear();
    this.dirty.clear();
    this.pendingMinutes = [];
    this.pendingQuarters = [];
    try {
      this.db?.close();
    } catch {
      // already broken
    }
    this.db = undefined;
    this.options.onDown?.(err, during);
  }

  /**
   * The quarter hours since the last flush's watermark are rebuilt from their stored minutes: the closed ones are
   * written, the open one seeds the server's accumulator (and the minute of now, written by a stop within it,
   * seeds the open minute).
   */
  private recoverQuarters(): void {
    const s = this.statements;
    const watermark = (s.getMeta.get('quarter_watermark') as { value: number } | undefined)?.value ?? 0;
    const open = floorTo(this.now() / 1000, ROLLUP_STEP['15m']);
    const openMinute = floorTo(this.now() / 1000, ROLLUP_STEP['1m']);
    const db = this.db as Database.Database;
    db.transaction(() => {
      for (const [id, key] of this.keys) {
        const rows = s['1m'].range.all(key, watermark, Number.MAX_SAFE_INTEGER) as RollupRow[];
        if (rows.length === 0) continue;
        const quarter = new Accumulator();
        const close = () => {
          if (quarter.n > 0 && quarter.start < open) {
            const row = quarter.row();
            s['15m'].insert.run(key, row.t, row.n, row.nl, row.v);
          } else if (quarter.n > 0) this.track(id, key).quarter.merge(quarter);
        };
        for (const row of rows) {
          if (row.t === openMinute) {
            const minute = this.track(id, key).minute;
            minute.reset(openMinute);
            minute.mergeRow(row);
            continue;
          }
          const q = floorTo(row.t, ROLLUP_STEP['15m']);
          if (quarter.start !== q) {
            close();
            quarter.reset(q);
          }
          quarter.mergeRow(row);
        }
        close();
      }
      s.setMeta.run('quarter_watermark', open);
    })();
  }

  private track(id: string, key?: number): Track {
    let track = this.tracks.get(id);
    if (!track) {
      let k = key ?? this.keys.get(id);
      if (k === undefined) {
        k = this.nextKey++;
        this.keys.set(id, k);
      }
      track = { key: k, minute: new Accumulator(), quarter: new Accumulator(), saved: 0 };
      this.tracks.set(id, track);
    }
    return track;
  }

  record(id: string, t: number, point: HistoryPoint): void {
    if (!this.up) return;
    const track = this.track(id);
    const minute = floorTo(t, ROLLUP_STEP['1m']);
    if (track.minute.start !== minute) {
      this.closeMinute(track);
      track.minute.reset(minute);
    }
    track.minute.add(point);
  }

  private closeMinute(track: Track): void {
    const minute = track.minute;
    if (minute.n === 0) return;
    this.pendingMinutes.push({ key: track.key, row: minute.row() });
    const q = floorTo(minute.start, ROLLUP_STEP['15m']);
    if (track.quarter.start !== q) {
      this.closeQuarter(track);
      track.quarter.reset(q);
    }
    track.quarter.merge(minute);
    minute.reset(-1);
  }

  private closeQuarter(track: Track): void {
    if (track.quarter.n > 0) this.pendingQuarters.push({ key: track.key, row: track.quarter.row() });
    track.quarter.reset(-1);
  }

  saveState(server: SavedServer, now: boolean): void {
    if (!this.up) return;
    const entry = this.dirty.get(server.id);
    if (entry) entry.now ||= now;
    else this.dirty.set(server.id, { server, now });
  }

  remove(id: string): void {
    if (!this.up) return;
    this.dirty.delete(id);
    const track = this.tracks.get(id);
    this.tracks.delete(id);
    const key = this.keys.get(id);
    if (key === undefined) return;
    this.keys.delete(id);
    this.removals.push(key);
    if (track) {
      this.pendingMinutes = this.pendingMinutes.filter((p) => p.key !== key);
      this.pendingQuarters = this.pendingQuarters.filter((p) => p.key !== key);
    }
  }

  loadStates(): SavedServer[] {
    if (!this.up) return [];
    const rows = this.guard(
      'load',
      () => this.statements.states.all() as { id: string; last_seen: number; message: Buffer }[],
    );
    return (rows ?? []).map((r) => ({ id: r.id, lastSeen: r.last_seen, message: r.message }));
  }

  /**
   * Closes the minutes and quarter hours that ended by now and writes them, the states that are due and the
   * removals in one transaction.
   */
  flush(): void {
    if (!this.up) return;
    const nowMs = this.now();
    const nowS = nowMs / 1000;
    const openMinute = floorTo(nowS, ROLLUP_STEP['1m']);
    const openQuarter = floorTo(nowS, ROLLUP_STEP['15m']);
    for (const track of this.tracks.values()) {
      if (track.minute.start >= 0 && track.minute.start < openMinute) this.closeMinute(track);
      if (track.quarter.start >= 0 && track.quarter.start < openQuarter) this.closeQuarter(track);
    }
    const minutes = this.pendingMinutes;
    const quarters = this.pendingQuarters;
    const removals = this.removals;
    this.pendingMinutes = [];
    this.pendingQuarters = [];
    this.removals = [];
    const states: SavedServer[] = [];
    for (const [id, entry] of this.dirty) {
      const track = this.track(id);
      if (!entry.now && nowMs - track.saved < STATE_EVERY_MS) continue;
      states.push(entry.server);
      track.saved = nowMs;
      this.dirty.delete(id);
    }
    const s = this.statements;
    this.guard('flush', () =>
      (this.db as Database.Database).transaction(() => {
        for (const server of states) {
          const key = this.keys.get(server.id);
          if (key !== undefined) s.saveServer.run(key, server.id, server.lastSeen, server.message);
        }
        for (const { key, row } of minutes) s['1m'].insert.run(key, row.t, row.n, row.nl, row.v);
        for (const { key, row } of quarters) s['15m'].insert.run(key, row.t, row.n, row.nl, row.v);
        for (const key of removals) {
          s['1m'].removeServer.run(key);
          s['15m'].removeServer.run(key);
          s.removeServer.run(key);
        }
        s.setMeta.run('quarter_watermark', openQuarter);
      })(),
    );
  }

  /** Deletes the points older than each tier's retention, yielding to the event loop between small batches. */
  async prune(): Promise<void> {
    const nowS = this.now() / 1000;
    const cutoffs = {
      '1m': nowS - this.options.minuteRetention,
      '15m': nowS - this.options.quarterRetention,
    };
    let budget = PRUNE_BATCH_ROWS;
    for (const key of [...this.keys.values()]) {
      for (const tier of ['1m', '15m'] as const) {
        const s = this.statements[tier];
        const step = ROLLUP_STEP[tier];
        for (;;) {
          if (!this.up) return;
          const deleted = this.guard('prune', () => {
            const first = (s.first.get(key) as { t: number | null }).t;
            if (first === null || first >= cutoffs[tier]) return 0;
            // A bounded slice per statement: never more than one batch of rows at once.
            const until = Math.min(cutoffs[tier], first + budget * step);
            return s.prune.run(key, until).changes || 1;
          });
          if (!deleted) break;
          budget -= deleted;
          if (budget <= 0) {
            budget = PRUNE_BATCH_ROWS;
            await yieldToLoop();
          }
        }
      }
    }
  }

  query(id: string, tier: RollupTier, from: number, to: number): RollupRow[] {
    if (!this.up) return [];
    const key = this.keys.get(id);
    if (key === undefined) return [];
    const stored =
      this.guard('query', () => this.statements[tier].range.all(key, from, to) as RollupRow[]) ?? [];
    const pending = (tier === '1m' ? this.pendingMinutes : this.pendingQuarters)
      .filter((p) => p.key === key && p.row.t >= from && p.row.t <= to)
      .map((p) => p.row);
    const open = this.openRow(id, tier);
    if (open && open.t >= from && open.t <= to) pending.push(open);
    if (pending.length === 0) return stored;
    const newer = new Set(pending.map((r) => r.t));
    return [...stored.filter((r) => !newer.has(r.t)), ...pending].sort((a, b) => a.t - b.t);
  }

  /** The point still being summed: the open minute, or the open quarter hour with its open minute. */
  private openRow(id: string, tier: RollupTier): RollupRow | undefined {
    const track = this.tracks.get(id);
    if (!track) return undefined;
    if (tier === '1m') return track.minute.n > 0 ? track.minute.row() : undefined;
    const sum = new Accumulator();
    const minuteQuarter = floorTo(track.minute.start, ROLLUP_STEP['15m']);
    if (track.quarter.n > 0) {
      sum.reset(track.quarter.start);
      sum.merge(track.quarter);
    }
    if (track.minute.n > 0 && (sum.start === -1 || sum.start === minuteQuarter)) {
      if (sum.start === -1) sum.reset(minuteQuarter);
      sum.merge(track.minute);
    }
    return sum.n > 0 ? sum.row() : undefined;
  }

  /** Writes everything, the open minutes too, and closes the file. */
  close(): void {
    if (!this.up) return;
    for (const entry of this.dirty.values()) entry.now = true;
    for (const track of this.tracks.values()) this.closeMinute(track);
    this.flush();
    this.guard('close', () => this.db?.close());
    this.db = undefined;
    this.up = false;
  }
}
