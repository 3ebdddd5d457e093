import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { PACKED_HEAD, PACKED_ROW, SERIES_COUNT } from './rollup';
import type { AlertRow } from './sqlite-store';

export type WriterRequest =
  | {
      type: 'flush';
      id: number;
      /** The states to write: ids, and per state its key, lastSeen and message at [ends[i - 1], ends[i]). */
      states: {
        ids: string[];
        keys: Float64Array;
        lastSeen: Float64Array;
        ends: Float64Array;
        bytes: Uint8Array;
      };
      /** Alerts that started firing or resolved, each replacing its row. */
      alerts: AlertRow[];
      minutes: ArrayBuffer;
      quarters: ArrayBuffer;
      removals: number[];
      watermark: number;
    }
  | {
      type: 'prune';
      id: number;
      keys: number[];
      minuteCutoff: number;
      quarterCutoff: number;
      /** Alerts that resolved before this (ms) go. */
      alertCutoff: number;
    }
  | { type: 'close'; id: number };

export type WriterReply =
  | { type: 'done'; id: number; ms: number }
  /** A long request still going (each small transaction of a prune): the writer is not hung. */
  | { type: 'progress'; id: number }
  | { type: 'error'; id: number; message: string; code: string | undefined; during: string };

/**
 * The writer runs in a worker thread, so that SQLite's writes (random B-tree pages, WAL checkpoints, fsync) never
 * stall the event loop. It is plain JavaScript run with `eval` (one bundle file, no loader needed under tsx or
 * vitest); it finds better-sqlite3 from this module's place and opens the file the main thread prepared.
 */
const WRITER_SOURCE = `
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const Database = process.getBuiltinModule('node:module').createRequire(workerData.base)('better-sqlite3');
const { file, head, row, values } = workerData;
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('cache_size = -65536');
const tiers = {};
for (const table of ['minute', 'quarter']) {
  tiers[table] = {
    insert: db.prepare('INSERT OR REPLACE INTO ' + table + ' (server, t, n, nl, v) VALUES (?, ?, ?, ?, ?)'),
    prune: db.prepare('DELETE FROM ' + table + ' WHERE server = ? AND t < ?'),
    remove: db.prepare('DELETE FROM ' + table + ' WHERE server = ?'),
  };
}
const saveServer = db.prepare(
  'INSERT INTO servers (key, id, last_seen, message) VALUES (?, ?, ?, ?) ' +
    'ON CONFLICT (key) DO UPDATE SET last_seen = excluded.last_seen, message = excluded.message',
);
const removeServer = db.prepare('DELETE FROM servers WHERE key = ?');
const saveAlert = db.prepare(
  'INSERT INTO alerts (fingerprint, starts_at, ends_at, active_at, server_id, severity, labels, summary, description, value, about) ' +
    'VALUES (@fingerprint, @starts_at, @ends_at, @active_at, @server_id, @severity, @labels, @summary, @description, @value, @about) ' +
    'ON CONFLICT (fingerprint, starts_at) DO UPDATE SET ends_at = excluded.ends_at, value = excluded.value, ' +
    'about = COALESCE(excluded.about, about)',
);
const pruneAlerts = db.prepare(
  'DELETE FROM alerts WHERE rowid IN (SELECT rowid FROM alerts WHERE ends_at < ? LIMIT 500)',
);
const setMeta = db.prepare('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)');
function insertRows(statement, buffer) {
  const f64 = new Float64Array(buffer);
  const bytes = Buffer.from(buffer);
  for (let offset = 0; offset < buffer.byteLength; offset += row) {
    const i = offset / 8;
    statement.run(f64[i], f64[i + 1], f64[i + 2], f64[i + 3], bytes.subarray(offset + head, offset + head + values));
  }
}
const flush = db.transaction((m) => {
  // Removals first: a server removed and reporting again since the last flush comes back with a new key, and its
  // new row would clash with the old one's id. Rows of the old key sent earlier are already written (in order).
  for (const key of m.removals) {
    tiers.minute.remove.run(key);
    tiers.quarter.remove.run(key);
    removeServer.run(key);
  }
  const s = m.states;
  const bytes = Buffer.from(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength);
  for (let i = 0; i < s.ids.length; i++) {
    saveServer.run(s.keys[i], s.ids[i], s.lastSeen[i], bytes.subarray(i === 0 ? 0 : s.ends[i - 1], s.ends[i]));
  }
  for (const alert of m.alerts) saveAlert.run(alert);
  insertRows(tiers.minute.insert, m.minutes);
  insertRows(tiers.quarter.insert, m.quarters);
  setMeta.run('quarter_watermark', m.watermark);
});
const pruneSome = db.transaction((keys, minuteCutoff, quarterCutoff) => {
  for (const key of keys) {
    tiers.minute.prune.run(key, minuteCutoff);
    tiers.quarter.prune.run(key, quarterCutoff);
  }
});
parentPort.on('message', (m) => {
  const started = performance.now();
  try {
    if (m.type === 'flush') flush(m);
    else if (m.type === 'prune') {
      // Small transactions, so the WAL stays small and a flush waits little behind retention.
      for (let i = 0; i < m.keys.length; i += 200) {
        pruneSome(m.keys.slice(i, i + 200), m.minuteCutoff, m.quarterCutoff);
        parentPort.postMessage({ type: 'progress', id: m.id });
      }
      while (pruneAlerts.run(m.alertCutoff).changes === 500) parentPort.postMessage({ type: 'progress', id: m.id });
    } else if (m.type === 'close') db.close();
    parentPort.postMessage({ type: 'done', id: m.id, ms: performance.now() - started });
  } catch (err) {
    parentPort.postMessage({ type: 'error', id: m.id, message: String(err && err.message), code: err && err.code, during: m.type });
  }
});
`;

export function startWriter(file: string): Worker {
  return new Worker(WRITER_SOURCE, {
    eval: true,
    workerData: {
      file,
      base: createRequire(import.meta.url).resolve('better-sqlite3'),
      head: PACKED_HEAD,
      row: PACKED_ROW,
      values: 8 * SERIES_COUNT,
    },
  });
}
