import type { Logger } from 'pino';
import type { DashboardConfig } from '../config';
import type { Hub } from '../hub/hub';
import { restoreServers, storeObserver } from './hub-feed';
import { SqliteHistoryStore } from './sqlite-store';

/** How often closed minutes and due states are written: with the open minute, what a kill -9 may lose. */
export const FLUSH_EVERY_MS = 10_000;
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * The history store of SSS_DATA_DIR (undefined when unset): every server it knew is listed in the hub at once,
 * offline, and from now on it is fed by what the hub applies. A failure, now or later, is logged once and turns
 * it off; the dashboard goes on with history in memory.
 */
export function openHistoryStore(
  config: Pick<DashboardConfig, 'dataDir' | 'historyMinuteRetention' | 'historyQuarterRetention'>,
  hub: Hub,
  log: Logger,
  now?: () => number,
): SqliteHistoryStore | undefined {
  const dir = config.dataDir;
  if (dir === undefined) return undefined;
  const started = performance.now();
  const store = new SqliteHistoryStore({
    dir,
    minuteRetention: config.historyMinuteRetention * 3600,
    quarterRetention: config.historyQuarterRetention * 86_400,
    ...(now ? { now } : {}),
    onDown: (err, during) =>
      log.error(
        { err: err.message, code: (err as { code?: string }).code, dataDir: dir, during },
        'history store failed and is off (sss_history_store_up 0): live monitoring goes on, history only in memory from now on',
      ),
  });
  if (!store.up) return store;
  const skipped: { id: string; why: string }[] = [];
  const servers = restoreServers(store, hub, (id, why) => skipped.push({ id, why }));
  if (skipped.length > 0) {
    log.warn(
      { skipped: skipped.length, first: skipped[0] },
      'history store: saved server states that fail validation were not restored',
    );
  }
  hub.observer = storeObserver(store);
  log.info({ dataDir: dir, servers, ms: Math.round(performance.now() - started) }, 'history store opened');
  return store;
}

/** Flushes and prunes the store on timers; the returned function stops them and closes the store. */
export function runHistoryStore(store: SqliteHistoryStore): () => Promise<void> {
  let pruning = false;
  const timers = [
    setInterval(() => void store.flush(), FLUSH_EVERY_MS),
    setInterval(() => {
      if (pruning) return;
      pruning = true;
      void store.prune().finally(() => {
        pruning = false;
      });
    }, PRUNE_EVERY_MS),
  ];
  for (const timer of timers) timer.unref();
  return () => {
    for (const timer of timers) clearInterval(timer);
    return store.close();
  };
}
