// 31 days of history for the browser tests, written with the dashboard's own store (SqliteHistoryStore) on a
// test clock before the dashboard starts on the same data folder: four reports a minute with a daily rhythm and
// short spikes (so each point's maximum stands above its average), and offline stretches the charts must show as
// gaps.

import type { FrontendServerInfo, HistoryPoint } from '@sss/protocol';
import { SqliteHistoryStore } from '../../dashboard/src/store/sqlite-store';
import { type FleetServer, report } from './fleet';

const HOUR = 3600;
const DAY = 24 * HOUR;

/** Stretches with no reports, as [from, to) seconds before the seed's end. */
export interface Outage {
  from: number;
  to: number;
}

/** Offline stretches, each seen in one range or more: 24 h and shorter, 7 d, 30 d. */
export const OUTAGES: Outage[] = [
  { from: 10 * HOUR, to: 7 * HOUR },
  { from: 3 * DAY + 6 * HOUR, to: 3 * DAY },
  { from: 12 * DAY, to: 10 * DAY },
];
/** When the agent sent no load average (an old agent): the load chart breaks, the others do not. */
export const NO_LOAD: Outage = { from: 20 * DAY, to: 18 * DAY };

export interface SeededServer {
  server: FleetServer;
  /** Unix seconds of the last seeded report. */
  end: number;
}

/** The first report of every minute is a burst, stronger some hours than others. */
function pointAt(server: FleetServer, t: number): HistoryPoint {
  const day = (t % DAY) / DAY;
  const daily = 0.5 + 0.5 * Math.sin(2 * Math.PI * day + server.phase);
  const weekly = 0.5 + 0.5 * Math.sin((2 * Math.PI * t) / (7 * DAY) + server.phase);
  const boost = Math.floor(t / 15) % 4 === 0 ? 1.3 + 0.5 * (0.5 + 0.5 * Math.sin(t / 5400)) : 1;
  const cpu = Math.min(100, (12 + 45 * daily * server.load * 2 + 6 * weekly) * boost);
  return {
    cpu,
    memory: 40 + 18 * weekly + 6 * daily,
    netIn: (2e6 + 9e6 * daily) * boost,
    netOut: (6e5 + 3e6 * daily) * boost,
    diskRead: (2e5 + 1.5e6 * weekly) * boost,
    diskWrite: (4e5 + 2.5e6 * daily) * boost,
    load: (cpu / 100) * server.cores,
  };
}

const within = (ago: number, o: Outage) => ago < o.from && ago >= o.to;

/**
 * Writes `days` of reports every 15 s for each server into `dir`, ending at each server's `end`, skipping the
 * outages, and keeps each server's last state (offline) so the dashboard lists it at start.
 */
export function seedHistory(dir: string, servers: SeededServer[], days = 31): void {
  let nowMs = 0;
  const store = new SqliteHistoryStore({
    dir,
    minuteRetention: 48 * HOUR,
    quarterRetention: 30 * DAY,
    now: () => nowMs,
  });
  if (!store.up) throw new Error(`the history store did not open in ${dir}`);
  const encoder = new TextEncoder();
  try {
    const start = Math.floor((Math.min(...servers.map((s) => s.end)) - days * DAY) / 60) * 60;
    const end = Math.max(...servers.map((s) => s.end));
    for (let t = start; t <= end; t += 15) {
      nowMs = t * 1000;
      for (const { server, end: last } of servers) {
        const ago = last - t;
        if (ago < 0 || OUTAGES.some((o) => within(ago, o))) continue;
        const point = pointAt(server, t);
        store.record(server.id, t, within(ago, NO_LOAD) ? { ...point, load: null } : point);
      }
      if (t % HOUR === 0) store.flush();
    }
    for (const { server, end: last } of servers) {
      const view: FrontendServerInfo = { ...report(server, last), online: false, lastSeen: last };
      store.saveState(
        { id: server.id, lastSeen: last * 1000, message: encoder.encode(JSON.stringify(view)) },
        true,
      );
    }
  } finally {
    store.close();
  }
}
