import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { ALERT_KINDS, type AlertAbout, type HistoryPoint } from '@sss/protocol';
import Database from 'better-sqlite3';
import { Accumulator, PackedRows, ROLLUP_STEP, type RollupRow, type RollupTier } from './rollup';
import { startWriter, type WriterReply, type WriterRequest } from './sqlite-writer';
import type { AlertQuery, HistoryStore, SavedAlert, SavedServer } from './store';

export const STORE_FILE = 'history.db';
/** A reporting server's state is written at most this often (and at once when it is new or goes offline). */
const STATE_EVERY_MS = 60_000;
/** A flush writes at most this share of the routine state saves (urgent ones always). */
const STATE_SHARES = 6;
/** 2 added the alerts' `about` column (version 1 files get it at open). */
const SCHEMA_VERSION = 2;
/**
 * A writer that has work and has not answered for this long is taken as hung (a stalled disk, a hung NFS mount):
 * the store fails. Until then no other flush is sent, so what waits is at most the servers' open and last two
 * closed minutes and their quarter hours.
 */
export const WRITER_TIMEOUT_MS = 60_000;
/** At close, the writer gets this long to write the rest (below the dashboard's 4.5 s shutdown deadline). */
const CLOSE_TIMEOUT_MS = 3_000;

export interface SqliteStoreOptions {
  dir: string;
  /** Seconds 1-minute points are kept. */
  minuteRetention: number;
  /** Seconds 15-minute points (and resolved alerts) are kept. */
  quarterRetention: number;
  /** Milliseconds since the epoch; the hub's clock. */
  now?: () => number;
  /**
   * Milliseconds on a clock that only runs forward, for the writer's timeout: performance.now() by default. Not the
   * hub's clock, which a test (or a history seed) may move by days while a flush is being written.
   */
  elapsed?: () => number;
  /** The store failed and is off from now on: called once. */
  onDown?: (err: Error, during: string) => void;
  /** Starts the writer thread (a test's may never answer). */
  startWriter?: (file: string) => Worker;
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

/** An alert as a row of the `alerts` table (times in ms, labels as JSON). */
export interface AlertRow {
  fingerprint: string;
  starts_at: number;
  ends_at: number | null;
  active_at: number;
  server_id: string;
  severity: string;
  labels: string;
  summary: string;
  description: string;
  value: number | null;
  /** AlertAbout as JSON. */
  about: string | null;
}

const ALERT_COLUMNS =
  'SELECT fingerprint, starts_at, ends_at, active_at, server_id, severity, labels, summary, description, value, about FROM alerts';

function alertRowOf(a: SavedAlert): AlertRow {
  return {
    fingerprint: a.fingerprint,
    starts_at: Math.round(a.startsAt),
    ends_at: a.endsAt === undefined ? null : Math.round(a.endsAt),
    active_at: Math.round(a.activeAt),
    server_id: a.labels.server_id ?? '',
    severity: a.labels.severity ?? '',
    labels: JSON.stringify(a.labels),
    summary: a.summary,
    description: a.description,
    value: a.value ?? null,
    about: a.about ? JSON.stringify(a.about) : null,
  };
}

/** The `about` column, or undefined when it is empty or not what this dashboard writes. */
function aboutOf(text: string | null): AlertAbout | undefined {
  if (text === null) return undefined;
  try {
    const about = JSON.parse(text) as AlertAbout;
    return (ALERT_KINDS as readonly string[]).includes(about?.kind) ? about : undefined;
  } catch {
    return undefined;
  }
}

function savedAlertOf(r: AlertRow): SavedAlert {
  return {
    fingerprint: r.fingerprint,
    labels: JSON.parse(r.labels) as Record<string, string>,
    summary: r.summary,
    description: r.description,
    activeAt: r.active_at,
    startsAt: r.starts_at,
    ...(r.ends_at === null ? {} : { endsAt: r.ends_at }),
    ...(r.value === null ? {} : { value: r.value }),
    ...(aboutOf(r.about) ? { about: aboutOf(r.about) } : {}),
  };
}

/** States in one buffer for the writer (moved, not copied: a message may be a slice of a shared pool). */
function packStates(states: readonly { key: number; id: string; server: SavedServer }[]) {
  const keys = new Float64Array(states.length);
  const lastSeen = new Float64Array(states.length);
  const ends = new Float64Array(states.length);
  let total = 0;
  states.forEach(({ key, server }, i) => {
    keys[i] = key;
    lastSeen[i] = server.lastSeen;
    total += server.message.byteLength;
    ends[i] = total;
  });
  const bytes = new Uint8Array(total);
  states.forEach(({ server }, i) => {
    bytes.set(server.message, i === 0 ? 0 : (ends[i - 1] as number));
  });
  return { ids: states.map((s) => s.id), keys, lastSeen, ends, bytes };
}

/**
 * The embedded HistoryStore: one SQLite file in WAL mode. Reports only touch the in-memory minute sums; a closed
 * minute becomes a row and is merged into its quarter hour; `flush` (the caller's timer) hands the closed rows
 * and the due states to the writer thread, which writes them in one transaction; `prune` has it delete points
 * past retention in small transactions. The event loop only reads (a server's range, at start the states).
 * A kill -9 loses the open minute and what closed since the last flush; the open quarter hour is rebuilt from
 * its stored minutes at start.
 */
export class SqliteHistoryStore implements HistoryStore {
  up = false;
  /** Failures seen (the one that turned the store off, or none). */
  errors = 0;
  private failed = false;
  /** The main thread's connection: it prepares the file at start, then only reads. */
  private db: Database.Database | undefined;
  private writer: Worker | undefined;
  private nextRequest = 1;
  /** The flush the writer has not answered yet: no other is sent meanwhile. */
  private flushing: Promise<number> | undefined;
  /** When the writer answered last, or was handed work while idle (the store's clock, ms). */
  private heard = 0;
  /** Requests the writer has not answered, with the rows they carry (still answered by queries). */
  private readonly inflight = new Map<
    number,
    { resolve: (ms: number) => void; minutes: PackedRows; quarters: PackedRows }
  >();
  private readonly now: () => number;
  private readonly elapsed: () => number;
  private readonly tracks = new Map<string, Track>();
  /** Every server's key in the file, including servers that do not report now. */
  private readonly keys = new Map<string, number>();
  private nextKey = 1;
  private pendingMinutes = new PackedRows();
  private pendingQuarters = new PackedRows();
  /** States to write at the next flush. */
  private readonly urgent = new Map<string, SavedServer>();
  /**
   * States changed since they were written, in the order they were written last (a server is added again at its
   * first report after a write), so the due ones come first.
   */
  private readonly changed = new Map<string, SavedServer>();
  private removals: number[] = [];
  /** Alert changes to write at the next flush, the latest of each firing (fingerprint and startsAt). */
  private pendingAlerts = new Map<string, SavedAlert>();
  private statements!: ReturnType<SqliteHistoryStore['prepare']>;

  constructor(private readonly options: SqliteStoreOptions) {
    this.now = options.now ?? Date.now;
    this.elapsed = options.elapsed ?? (() => performance.now());
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
        CREATE TABLE IF NOT EXISTS alerts (fingerprint TEXT NOT NULL, starts_at INTEGER NOT NULL,
          ends_at INTEGER, active_at INTEGER NOT NULL, server_id TEXT NOT NULL, severity TEXT NOT NULL,
          labels TEXT NOT NULL, summary TEXT NOT NULL, description TEXT NOT NULL, value REAL, about TEXT,
          PRIMARY KEY (fingerprint, starts_at));
        CREATE INDEX IF NOT EXISTS alerts_ends_at ON alerts (ends_at);
      `);
      // A file of schema 1 may have an alerts table without the column, or none (created above, with it).
      const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('alerts');
      db.transaction(() => {
        if (!columns.includes('about')) db.exec('ALTER TABLE alerts ADD COLUMN about TEXT');
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })();
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
      this.startWriter(join(options.dir, STORE_FILE));
    });
  }

  private startWriter(file: string): void {
    const writer = (this.options.startWriter ?? startWriter)(file);
    this.writer = writer;
    writer.unref();
    writer.on('message', (reply: WriterReply) => {
      this.heard = this.elapsed();
      if (reply.type === 'progress') return;
      const request = this.inflight.get(reply.id);
      this.inflight.delete(reply.id);
      if (this.inflight.size === 0) writer.unref();
      if (reply.type === 'error') {
        const err = Object.assign(new Error(reply.message), { code: reply.code });
        this.fail(err, reply.during);
      }
      request?.resolve(reply.type === 'done' ? reply.ms : 0);
    });
    writer.on('error', (err) => this.fail(err, 'writer'));
    writer.on('exit', () => {
      if (this.up) this.fail(new Error('the writer thread exited'), 'writer');
    });
  }

  /** Sends a request to the writer; resolves with its milliseconds of work (0 when it failed or is gone). */
  private send(
    request: WriterRequest,
    minutes = new PackedRows(),
    quarters = new PackedRows(),
    transfer: ArrayBuffer[] = [],
  ): Promise<number> {
    return new Promise((resolve) => {
      if (!this.writer) return resolve(0);
      // Referenced while it works: a stop waits for the last flush, an idle writer keeps no process alive.
      if (this.inflight.size === 0) {
        this.writer.ref();
        this.heard = this.elapsed();
      }
      this.inflight.set(request.id, { resolve, minutes, quarters });
      this.writer.postMessage(request, transfer);
    });
  }

  /** The main thread's statements: reads, and the writes of recovery at start (before the writer runs). */
  private prepare(db: Database.Database) {
    const rows = (table: string) => ({
      insert: db.prepare(`INSERT OR REPLACE INTO ${table} (server, t, n, nl, v) VALUES (?, ?, ?, ?, ?)`),
      range: db.prepare(`SELECT t, n, nl, v FROM ${table} WHERE server = ? AND t >= ? AND t <= ? ORDER BY t`),
    });
    return {
      '1m': rows('minute'),
      '15m': rows('quarter'),
      getMeta: db.prepare('SELECT value FROM meta WHERE name = ?'),
      setMeta: db.prepare('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)'),
      states: db.prepare('SELECT id, last_seen, message FROM servers'),
      firingAlerts: db.prepare(`${ALERT_COLUMNS} WHERE ends_at IS NULL ORDER BY starts_at`),
      resolvedAlerts: db.prepare(
        `${ALERT_COLUMNS} WHERE ends_at IS NOT NULL AND ends_at >= @from AND starts_at <= @to
          AND (@severity IS NULL OR severity IN (SELECT value FROM json_each(@severity)))
          AND (@server IS NULL OR server_id IN (SELECT value FROM json_each(@server)))
         ORDER BY ends_at DESC LIMIT @limit`,
      ),
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
    this.urgent.clear();
    this.changed.clear();
    this.pendingAlerts.clear();
    this.pendingMinutes = new PackedRows();
    this.pendingQuarters = new PackedRows();
    for (const request of this.inflight.values()) request.resolve(0);
    this.inflight.clear();
    void this.writer?.terminate();
    this.writer = undefined;
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
    this.pendingMinutes.push(track.key, minute);
    const q = floorTo(minute.start, ROLLUP_STEP['15m']);
    if (track.quarter.start !== q) {
      this.closeQuarter(track);
      track.quarter.reset(q);
    }
    track.quarter.merge(minute);
    minute.reset(-1);
  }

  private closeQuarter(track: Track): void {
    if (track.quarter.n > 0) this.pendingQuarters.push(track.key, track.quarter);
    track.quarter.reset(-1);
  }

  saveState(server: SavedServer, now: boolean): void {
    if (!this.up) return;
    if (now) {
      this.urgent.set(server.id, server);
      this.changed.delete(server.id);
    } else if (!this.urgent.has(server.id) && !this.changed.has(server.id))
      this.changed.set(server.id, server);
  }

  remove(id: string): void {
    if (!this.up) return;
    this.urgent.delete(id);
    this.changed.delete(id);
    const track = this.tracks.get(id);
    this.tracks.delete(id);
    const key = this.keys.get(id);
    if (key === undefined) return;
    this.keys.delete(id);
    this.removals.push(key);
    if (track) {
      this.pendingMinutes = this.pendingMinutes.without(key);
      this.pendingQuarters = this.pendingQuarters.without(key);
    }
  }

  recordAlert(alert: SavedAlert): void {
    if (!this.up) return;
    const { fingerprint, labels, summary, description, activeAt, startsAt, endsAt, value, about } = alert;
    this.pendingAlerts.set(`${fingerprint}@${startsAt}`, {
      fingerprint,
      labels: { ...labels },
      summary,
      description,
      activeAt,
      startsAt,
      endsAt,
      value,
      about,
    });
  }

  loadFiringAlerts(): SavedAlert[] {
    if (!this.up) return [];
    const rows = this.guard('load', () => this.statements.firingAlerts.all() as AlertRow[]);
    return (rows ?? []).map(savedAlertOf);
  }

  queryAlerts(query: AlertQuery): SavedAlert[] {
    if (!this.up) return [];
    const list = (values: readonly string[] | undefined) =>
      values === undefined ? null : JSON.stringify(values);
    const rows = this.guard(
      'query',
      () =>
        this.statements.resolvedAlerts.all({
          from: Math.floor(query.from),
          to: Math.ceil(query.to),
          limit: query.limit,
          severity: list(query.severity),
          server: list(query.server),
        }) as AlertRow[],
    );
    return (rows ?? []).map(savedAlertOf);
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
   * Closes the minutes and quarter hours that ended by now and hands them, the states that are due and the
   * removals to the writer (one transaction). Resolves when they are written, with the writer's milliseconds.
   * While the previous flush is unanswered it sends nothing (resolves 0; all waits for the next), and once the
   * writer is WRITER_TIMEOUT_MS late it fails the store.
   */
  flush(): Promise<number> {
    if (!this.up) return Promise.resolve(0);
    if (this.inflight.size > 0 && this.elapsed() - this.heard >= WRITER_TIMEOUT_MS) {
      this.fail(new Error(`the writer has not answered for ${WRITER_TIMEOUT_MS / 1000} s`), 'flush');
      return Promise.resolve(0);
    }
    if (this.flushing) return Promise.resolve(0);
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
    this.pendingMinutes = new PackedRows();
    this.pendingQuarters = new PackedRows();
    this.removals = [];
    const states: { key: number; id: string; server: SavedServer }[] = [];
    const write = (id: string, server: SavedServer, track: Track) => {
      states.push({ key: track.key, id, server });
      track.saved = nowMs;
    };
    for (const [id, server] of this.urgent) write(id, server, this.track(id));
    this.urgent.clear();
    // Servers that connected together would otherwise fall due together: a share per flush, the oldest first.
    let share = Math.max(100, Math.ceil(this.changed.size / STATE_SHARES));
    for (const [id, server] of this.changed) {
      const track = this.track(id);
      if (share-- <= 0 || nowMs - track.saved < STATE_EVERY_MS) break;
      write(id, server, track);
      this.changed.delete(id);
    }
    const packedMinutes = minutes.bytes();
    const packedQuarters = quarters.bytes();
    const packedStates = packStates(states);
    const alerts = [...this.pendingAlerts.values()].map(alertRowOf);
    this.pendingAlerts.clear();
    const written = this.send(
      {
        type: 'flush',
        id: this.nextRequest++,
        states: packedStates,
        alerts,
        minutes: packedMinutes,
        quarters: packedQuarters,
        removals,
        watermark: openQuarter,
      },
      minutes,
      quarters,
      [packedMinutes, packedQuarters, packedStates.bytes.buffer as ArrayBuffer],
    );
    this.flushing = written;
    void written.then(() => {
      if (this.flushing === written) this.flushing = undefined;
    });
    return written;
  }

  /**
   * Has the writer delete the points older than each tier's retention, and the alerts that resolved before the
   * 15-minute tier's, in small transactions.
   */
  prune(): Promise<number> {
    if (!this.up) return Promise.resolve(0);
    const nowS = this.now() / 1000;
    return this.send({
      type: 'prune',
      id: this.nextRequest++,
      keys: [...this.keys.values()],
      minuteCutoff: nowS - this.options.minuteRetention,
      quarterCutoff: nowS - this.options.quarterRetention,
      alertCutoff: Math.floor((nowS - this.options.quarterRetention) * 1000),
    });
  }

  query(id: string, tier: RollupTier, from: number, to: number): RollupRow[] {
    if (!this.up) return [];
    const key = this.keys.get(id);
    if (key === undefined) return [];
    const stored =
      this.guard('query', () => this.statements[tier].range.all(key, from, to) as RollupRow[]) ?? [];
    const unwritten = [...this.inflight.values()].map((r) => (tier === '1m' ? r.minutes : r.quarters));
    unwritten.push(tier === '1m' ? this.pendingMinutes : this.pendingQuarters);
    const pending = unwritten.flatMap((rows) => rows.rowsOf(key, from, to));
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

  /** Writes everything, the open minutes too, and closes the file; a writer late by CLOSE_TIMEOUT_MS fails it. */
  async close(): Promise<void> {
    if (!this.up) return;
    for (const [id, server] of this.changed) this.urgent.set(id, server);
    this.changed.clear();
    for (const track of this.tracks.values()) this.closeMinute(track);
    const written = (async () => {
      await this.flushing;
      await this.flush();
      await this.send({ type: 'close', id: this.nextRequest++ });
      return true;
    })();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS);
    });
    const inTime = await Promise.race([written, late]);
    clearTimeout(timer);
    if (!inTime) {
      this.fail(new Error(`the writer did not finish within ${CLOSE_TIMEOUT_MS / 1000} s of close`), 'close');
      return;
    }
    this.up = false;
    await this.writer?.terminate();
    this.writer = undefined;
    this.guard('close', () => this.db?.close());
    this.db = undefined;
  }
}
