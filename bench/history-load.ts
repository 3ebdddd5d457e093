// A child of bench/history.ts: opens the store in argv[2] at the time argv[3] (ms) and lists every server in a hub,
// as the dashboard does at start; prints the time taken and the memory added, as JSON. Run with --expose-gc.
import { Hub } from '../dashboard/src/hub/hub';
import { restoreServers } from '../dashboard/src/store/hub-feed';
import { SqliteHistoryStore } from '../dashboard/src/store/sqlite-store';

const [dir = '', at = '0'] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
gc();
const before = process.memoryUsage();
const started = performance.now();
const store = new SqliteHistoryStore({
  dir,
  minuteRetention: 48 * 3600,
  quarterRetention: 30 * 86_400,
  now: () => Number(at),
});
const hub = new Hub({ intervalSeconds: 5, historySize: 720, now: () => Number(at) });
const servers = restoreServers(store, hub);
const ms = performance.now() - started;
gc();
const after = process.memoryUsage();
console.log(
  JSON.stringify({ ms, servers, rss: after.rss - before.rss, heap: after.heapUsed - before.heapUsed }),
);
store.close();
