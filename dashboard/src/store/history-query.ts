import {
  HISTORY_RANGE_SECONDS,
  HISTORY_RANGES,
  HISTORY_SERIES,
  type HistoryColumns,
  type HistoryRange,
  type ServerHistory,
} from '@sss/protocol';
import type { ServerState } from '../hub/hub';
import { columnsOf, ROLLUP_STEP, type RollupTier } from './rollup';
import type { HistoryStore } from './store';

/** A query parameter of GET /api/servers/:id/history that is wrong; the message names it and what is valid. */
export class HistoryParamError extends Error {}

/** `limit`: the ring's newest points in the original shape; otherwise a window in Unix seconds. */
export type HistoryRequest = { limit: number | undefined } | { from: number; to: number };

const RAW_SPAN = 3600;
const MINUTE_SPAN = 24 * 3600;

function seconds(name: string, raw: unknown): number {
  if (typeof raw !== 'string' || !/^\d+(\.\d+)?$/.test(raw)) {
    throw new HistoryParamError(`${name} must be a time in Unix seconds, got "${String(raw)}"`);
  }
  return Number(raw);
}

/** Reads `limit`, `range` or `from`/`to`; `nowS` is now in Unix seconds. */
export function parseHistoryQuery(query: Record<string, unknown>, nowS: number): HistoryRequest {
  const { limit, range, from, to } = query;
  const windowed = range !== undefined || from !== undefined || to !== undefined;
  if (limit !== undefined) {
    if (windowed) throw new HistoryParamError('limit cannot be combined with range, from or to');
    const n = Number(limit);
    if (typeof limit !== 'string' || !/^\d+$/.test(limit) || n < 1) {
      throw new HistoryParamError(`limit must be a whole number from 1, got "${String(limit)}"`);
    }
    return { limit: n };
  }
  if (range !== undefined) {
    if (from !== undefined || to !== undefined) {
      throw new HistoryParamError('range cannot be combined with from or to');
    }
    if (typeof range !== 'string' || !(HISTORY_RANGES as readonly string[]).includes(range)) {
      throw new HistoryParamError(
        `range must be one of ${HISTORY_RANGES.join(', ')}, got "${String(range)}"`,
      );
    }
    return { from: nowS - HISTORY_RANGE_SECONDS[range as HistoryRange], to: nowS };
  }
  if (!windowed) return { limit: undefined };
  const end = to === undefined ? nowS : seconds('to', to);
  const start = from === undefined ? end - RAW_SPAN : seconds('from', from);
  if (start >= end) throw new HistoryParamError(`from must be before to, got from=${start} and to=${end}`);
  return { from: start, to: end };
}

export interface HistorySources {
  /** Absent when the dashboard runs without a store. */
  store: HistoryStore | undefined;
  /** Report interval, seconds. */
  interval: number;
  /** Seconds 1-minute points are kept. */
  minuteRetention: number;
  /** Milliseconds since the epoch; the hub's clock. */
  now: () => number;
}

/**
 * The window [from, to] of a server's history from the fitting tier: the ring for a span of an hour or less
 * (unless the ring is younger than the window and the store holds older minutes, as after a restart), 1-minute
 * points up to a day within their retention, 15-minute points beyond. Without a working store, the ring.
 */
export function historyWindow(
  state: ServerState,
  from: number,
  to: number,
  nowS: number,
  sources: HistorySources,
): ServerHistory {
  const { store, interval } = sources;
  const span = to - from;
  const raw = () => ({
    ...state.history.between(state.id, interval, from, to),
    tier: 'raw' as const,
    step: interval,
    from,
    to,
  });
  if (!store?.up) return raw();
  if (span <= RAW_SPAN) {
    const oldest = state.history.oldest ?? Number.POSITIVE_INFINITY;
    const ringCovers = oldest <= from + 2 * interval;
    if (ringCovers || store.query(state.id, '1m', from, Math.min(to, oldest - 60)).length === 0) return raw();
  }
  const tier: RollupTier = span <= MINUTE_SPAN && from >= nowS - sources.minuteRetention ? '1m' : '15m';
  const step = ROLLUP_STEP[tier];
  const rows = store.query(state.id, tier, Math.floor(from / step) * step, to);
  const { t, avg, max } = columnsOf(rows);
  const byName = (columns: (number | null)[][]) =>
    Object.fromEntries(HISTORY_SERIES.map((s, i) => [s, columns[i]])) as HistoryColumns;
  return { serverId: state.id, interval, t, ...byName(avg), tier, step, from, to, max: byName(max) };
}
