// Short per-server time series for sparklines and charts, in the dashboard's history layout (columns, oldest
// first): filled from live messages as they arrive and back-filled from GET /api/servers/:id/history.

import { HISTORY_SERIES, type HistoryPoint, type HistorySeries, type ServerHistory } from '@sss/protocol';

export type Columns = Pick<ServerHistory, 't' | HistorySeries>;
export type Sample = HistoryPoint;

export function emptyColumns(): Columns {
  return { t: [], cpu: [], memory: [], netIn: [], netOut: [], diskRead: [], diskWrite: [], load: [] };
}

/**
 * Appends a point at time `t` (Unix seconds) unless it is not newer than the last one (the offline message
 * repeats the last report), then drops the oldest points beyond `capacity`. Returns whether it appended.
 */
export function append(cols: Columns, t: number, sample: Sample, capacity: number): boolean {
  const last = cols.t[cols.t.length - 1];
  if (last !== undefined && t <= last) return false;
  cols.t.push(t);
  for (const key of HISTORY_SERIES) (cols[key] as Sample[typeof key][]).push(sample[key]);
  trim(cols, capacity);
  return true;
}

/** Puts the history's points that are older than everything local in front of the local ones. */
export function prependHistory(cols: Columns, history: Columns, capacity: number): void {
  const first = cols.t[0] ?? Number.POSITIVE_INFINITY;
  let n = 0;
  while (n < history.t.length && (history.t[n] as number) < first) n += 1;
  if (n === 0) return;
  cols.t.unshift(...history.t.slice(0, n));
  for (const key of HISTORY_SERIES) (cols[key] as Sample[typeof key][]).unshift(...history[key].slice(0, n));
  trim(cols, capacity);
}

function trim(cols: Columns, capacity: number): void {
  const excess = cols.t.length - capacity;
  if (excess <= 0) return;
  cols.t.splice(0, excess);
  for (const key of HISTORY_SERIES) cols[key].splice(0, excess);
}
