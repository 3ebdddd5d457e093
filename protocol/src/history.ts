import type { ServerInfo } from './server-info';

/** The series every report carries (the seed's fields). */
export const SEED_HISTORY_SERIES = ['cpu', 'memory', 'netIn', 'netOut', 'diskRead', 'diskWrite'] as const;
/** Series from optional extension fields (`load` is cpu.load1): null where the agent did not report the field. */
export const OPTIONAL_HISTORY_SERIES = ['load'] as const;
/** The series the dashboard keeps per server for the ui's charts, one value per report. */
export const HISTORY_SERIES = [...SEED_HISTORY_SERIES, ...OPTIONAL_HISTORY_SERIES] as const;
export type HistorySeries = (typeof HISTORY_SERIES)[number];
export type OptionalHistorySeries = (typeof OPTIONAL_HISTORY_SERIES)[number];
/** One value per series; an optional series is null when the agent (an old or foreign one) never reported it. */
export type HistoryPoint = { [S in HistorySeries]: S extends OptionalHistorySeries ? number | null : number };
/** One column per series, the values' types of HistoryPoint. */
export type HistoryColumns = { [S in HistorySeries]: HistoryPoint[S][] };

/**
 * Largest magnitude a history value takes: float32's largest finite value. Values beyond it (and NaN) would not
 * survive the dashboard's float32 ring as numbers, so they are clamped to ±this (NaN to 0), which a chart can draw.
 */
export const HISTORY_VALUE_LIMIT = 3.4028234663852886e38;

/** The history point of a report: percentages and bytes per second, disk speeds summed over filesystems. */
export function historyPointOf(info: ServerInfo): HistoryPoint {
  let diskRead = 0;
  let diskWrite = 0;
  for (const d of info.disk) {
    diskRead += d.readSpeed;
    diskWrite += d.writeSpeed;
  }
  return {
    cpu: info.cpu.percent,
    memory: info.memory.usedPercent,
    netIn: info.network.inSpeed,
    netOut: info.network.outSpeed,
    diskRead,
    diskWrite,
    load: info.cpu.load1 ?? null,
  };
}

/** The spans `GET /api/servers/:id/history?range=` accepts, ending now. */
export const HISTORY_RANGES = ['1h', '6h', '24h', '7d', '30d'] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];
export const HISTORY_RANGE_SECONDS: Record<HistoryRange, number> = {
  '1h': 3600,
  '6h': 6 * 3600,
  '24h': 24 * 3600,
  '7d': 7 * 86400,
  '30d': 30 * 86400,
};

/**
 * Where a history answer comes from: `raw` is the in-memory ring of every report (the last hour at 5 s; no
 * maxima); `1m` and `15m` are the stored rollups, one point per minute / per 15 minutes with the average and the
 * maximum of each series over the reports in it. 1h answers from raw, 6h and 24h from 1m, 7d and 30d from 15m.
 */
export const HISTORY_TIERS = ['raw', '1m', '15m'] as const;
export type HistoryTier = (typeof HISTORY_TIERS)[number];

/**
 * `GET /api/servers/:id/history`: columns of equal length, oldest first. `t` is the dashboard's receipt time in
 * Unix seconds (for a rollup tier, the start of the point's minute or quarter hour, a multiple of `step`); cpu and
 * memory are percent; net and disk are bytes per second (disk summed over filesystems); load is the 1-minute load
 * average. Values are finite (see HISTORY_VALUE_LIMIT). In a rollup point a series is the average of the reports
 * in it; an optional series (load) is null in a point none of whose reports carried it (an old agent): draw a gap.
 * No rows are inserted where the server sent nothing (offline, dashboard down): a gap is where consecutive `t`
 * are more than twice `step` (or `interval`) apart.
 *
 * `?limit=N` (or no parameter) answers the raw ring's newest N points in the original shape: serverId, interval,
 * t and the series. `?range=` or `?from=&to=` (Unix seconds) add `tier`, `step`, `from`, `to`, and `max` for a
 * rollup tier; the newest rollup point may be the current, still-open minute or quarter hour, so a chart ends now.
 */
export type ServerHistory = {
  serverId: string;
  /** Report interval the dashboard expects, seconds. */
  interval: number;
  t: number[];
  /** The tier that answered (range answers only). */
  tier?: HistoryTier;
  /** Seconds between points of the tier: the report interval for raw, 60 for 1m, 900 for 15m (range answers only). */
  step?: number;
  /** The window asked for, Unix seconds, inclusive (range answers only): a chart's x-axis spans it. */
  from?: number;
  to?: number;
  /** The maximum of each series within each point, beside `t` (1m and 15m tiers only). */
  max?: HistoryColumns;
} & HistoryColumns;
