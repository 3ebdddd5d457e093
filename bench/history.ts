// The history store (dashboard/src/store) under SSS_BENCH_SERVERS servers (default 10,000) reporting every 5 s for
// SSS_BENCH_HOURS of simulated time (default 1) on a test clock: no sleeping, the store's own work only (record on
// the report path, flush every 10 s, retention every 10 minutes, as the dashboard's timers do). Prints the write
// throughput, the longest stall of the event loop during a flush and during retention, bytes per server per day
// (dbstat), and the time and memory a new process needs to open the file and list every server again.
// Retention of 1-minute points is 30 minutes here, so that an hour deletes as much per run as the default 48 h does
// in its steady state.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type HistoryPoint, historyPointOf } from '@sss/protocol';
import { fullExample } from '@sss/protocol/fixtures';
import Database from 'better-sqlite3';
import { Hub } from '../dashboard/src/hub/hub';
import { SqliteHistoryStore, STORE_FILE } from '../dashboard/src/store/sqlite-store';
import { quantile } from './stats';

const SERVERS = Number(process.env.SSS_BENCH_SERVERS ?? 10_000);
const HOURS = Number(process.env.SSS_BENCH_HOURS ?? 1);
const INTERVAL = 5;
const FLUSH_EVERY = 10;
const PRUNE_EVERY = 600;
const MINUTE_RETENTION = 1800;
const QUARTER_RETENTION = 30 * 86_400;
const DEFAULT_MINUTE_RETENTION = 48 * 3600;
const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z

const ms = (ns: number) => (ns / 1e6).toFixed(1);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sss-bench-history-'));
  let now = T0 * 1000;
  try {
    const store = new SqliteHistoryStore({
      dir,
      minuteRetention: MINUTE_RETENTION,
      quarterRetention: QUARTER_RETENTION,
      now: () => now,
      onDown: (err) => {
        throw err;
      },
    });
    // Each server's state as the hub holds it: a full report (extension fields included) serialised.
    const hub = new Hub({ intervalSeconds: INTERVAL, historySize: 2, now: () => now });
    const servers = Array.from({ length: SERVERS }, (_, i) => {
      const report = fullExample();
      report.serverId = `server-${i}`;
      report.serverName = `Server ${i}`;
      return { state: hub.report(report), report };
    });
    const stateBytes = servers.reduce((sum, s) => sum + s.state.message.length, 0) / SERVERS;
    console.log(
      `${SERVERS} servers every ${INTERVAL} s for ${HOURS} h of simulated time; state ${stateBytes.toFixed(0)} bytes per server`,
    );

    let records = 0;
    let recordNs = 0n;
    let flushes = 0;
    let flushNs = 0n;
    let flushMaxNs = 0n;
    const flushTimes: number[] = [];
    let writerTotalMs = 0;
    let writerMaxMs = 0;
    let pruneMaxNs = 0;
    let pruneTotalMs = 0;
    const end = T0 + HOURS * 3600;
    for (let t = T0; t < end; t++) {
      now = t * 1000;
      // A fifth of the servers report each second, so each reports every 5 s. The hub's part (the point) is
      // made first; only the store's calls are timed.
      const batch: { state: (typeof servers)[number]['state']; point: HistoryPoint }[] = [];
      for (let i = t % INTERVAL; i < SERVERS; i += INTERVAL) {
        const server = servers[i];
        if (!server) continue;
        server.report.cpu.percent = (t + i) % 100;
        server.state.lastSeen = now;
        batch.push({ state: server.state, point: historyPointOf(server.report) });
      }
      const started = process.hrtime.bigint();
      for (const { state, point } of batch) {
        store.record(state.id, t, point);
        store.saveState(state, false);
      }
      recordNs += process.hrtime.bigint() - started;
      records += batch.length;
      if (t % FLUSH_EVERY === 0) {
        // The event loop's part is flush() itself; the writer thread's transaction runs beside it.
        const flushStarted = process.hrtime.bigint();
        const written = store.flush();
        const took = process.hrtime.bigint() - flushStarted;
        flushes++;
        flushNs += took;
        flushTimes.push(Number(took));
        if (took > flushMaxNs) flushMaxNs = took;
        const writerMs = await written;
        writerTotalMs += writerMs;
        writerMaxMs = Math.max(writerMaxMs, writerMs);
      }
      if (t % PRUNE_EVERY === PRUNE_EVERY / 2) {
        const delay = monitorEventLoopDelay({ resolution: 1 });
        delay.enable();
        pruneTotalMs += await store.prune();
        delay.disable();
        pruneMaxNs = Math.max(pruneMaxNs, delay.max);
      }
    }
    await store.close();

    const db = new Database(join(dir, STORE_FILE), { readonly: true });
    const size = (name: string) =>
      (
        db.prepare('SELECT coalesce(sum(pgsize), 0) AS s FROM dbstat WHERE name = ?').get(name) as {
          s: number;
        }
      ).s;
    const count = (table: string) =>
      (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const minuteRow = size('minute') / Math.max(1, count('minute'));
    const quarterRow = size('quarter') / Math.max(1, count('quarter'));
    const stateRow = size('servers') / Math.max(1, count('servers'));
    db.close();
    const rowsWritten =
      Math.round((SERVERS * HOURS * 3600) / 60) + Math.round((SERVERS * HOURS * 3600) / 900);
    const perDay = 1440 * minuteRow + 96 * quarterRow;
    const steady =
      (DEFAULT_MINUTE_RETENTION / 60) * minuteRow + (QUARTER_RETENTION / 900) * quarterRow + stateRow;

    console.log(
      `report path: ${(Number(recordNs) / records / 1000).toFixed(2)} µs per report in record + saveState (${records} reports)`,
    );
    console.log(
      `flush, on the event loop: ${ms(Number(flushNs) / flushes)} ms mean, median ${ms(
        quantile(
          flushTimes.sort((a, b) => a - b),
          0.5,
        ),
      )} ms, ` +
        `p99 ${ms(quantile(flushTimes, 0.99))} ms, longest ${ms(Number(flushMaxNs))} ms ` +
        `(its longest stall); in the writer thread: ${(writerTotalMs / flushes).toFixed(1)} ms mean, ` +
        `longest ${writerMaxMs.toFixed(1)} ms; ${Math.round(rowsWritten / (writerTotalMs / 1000))} rollup rows/s of writer time`,
    );
    console.log(
      `retention: ${(pruneTotalMs / Math.max(1, Math.floor((HOURS * 3600) / PRUNE_EVERY))).toFixed(1)} ms per run ` +
        `in the writer thread; the event loop's longest stall meanwhile ${ms(pruneMaxNs)} ms`,
    );
    console.log(
      `size: ${minuteRow.toFixed(0)} bytes per 1-minute point, ${quarterRow.toFixed(0)} per 15-minute point, ` +
        `${stateRow.toFixed(0)} per server state; ${(perDay / 1024).toFixed(0)} KiB per server per day; ` +
        `at the default retention (48 h, 30 d) ${(steady / 1024).toFixed(0)} KiB per server, ${mib(steady * SERVERS)} for ${SERVERS}`,
    );

    // A new process opens the file (rebuilding the open quarter hour) and lists every server, as at start.
    const load = JSON.parse(
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '--expose-gc',
          fileURLToPath(new URL('./history-load.ts', import.meta.url)),
          dir,
          String(now),
        ],
        { encoding: 'utf8' },
      ),
    ) as { ms: number; servers: number; rss: number; heap: number };
    console.log(
      `start: ${load.ms.toFixed(0)} ms to open the store and list ${load.servers} servers; ` +
        `+${mib(load.rss)} resident, +${mib(load.heap)} heap for them`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
