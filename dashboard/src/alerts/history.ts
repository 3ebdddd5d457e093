// GET /api/alerts: pending and firing alerts from the evaluator; resolved ones from the evaluator's last hour merged
// with the history store's, which keeps them for the 15-minute tier's retention (and across restarts).

import type { AlertRecord } from '@sss/protocol';
import { HistoryParamError } from '../store/history-query';
import type { HistoryStore, SavedAlert } from '../store/store';
import { type AlertEvaluator, KEEP_RESOLVED_MS, MAX_RESOLVED, recordOf } from './evaluator';

/** Most resolved alerts one answer lists. */
export const MAX_ALERT_LIMIT = 10_000;

export interface AlertListQuery {
  state?: readonly string[] | undefined;
  severity?: readonly string[] | undefined;
  server?: readonly string[] | undefined;
  /** Alerts active at some time in [from, to], milliseconds since the epoch. */
  from: number;
  to: number;
  /** Resolved alerts listed at most, the newest first. */
  limit: number;
}

function seconds(name: string, raw: unknown): number {
  if (typeof raw !== 'string' || !/^\d+(\.\d+)?$/.test(raw)) {
    throw new HistoryParamError(`${name} must be a time in Unix seconds, got "${String(raw)}"`);
  }
  return Number(raw) * 1000;
}

/**
 * Reads `from`, `to` (Unix seconds) and `limit`. Without them: the last hour, at most 1,000 resolved alerts (the
 * answer of a dashboard without a store). `limit` alone reaches back as far as the store keeps.
 */
export function parseAlertWindow(
  query: Record<string, unknown>,
  nowMs: number,
): Pick<AlertListQuery, 'from' | 'to' | 'limit'> {
  const { from, to, limit } = query;
  let n = MAX_RESOLVED;
  if (limit !== undefined) {
    n = Number(limit);
    if (typeof limit !== 'string' || !/^\d+$/.test(limit) || n < 1 || n > MAX_ALERT_LIMIT) {
      throw new HistoryParamError(
        `limit must be a whole number from 1 to ${MAX_ALERT_LIMIT}, got "${String(limit)}"`,
      );
    }
  }
  const end = to === undefined ? nowMs : seconds('to', to);
  const start = from !== undefined ? seconds('from', from) : limit !== undefined ? 0 : end - KEEP_RESOLVED_MS;
  if (start > end) {
    throw new HistoryParamError(`from must not be after to, got from=${start / 1000} and to=${end / 1000}`);
  }
  return { from: start, to: end, limit: n };
}

function resolvedRecord(s: SavedAlert): AlertRecord {
  return {
    fingerprint: s.fingerprint,
    state: 'resolved',
    labels: { ...s.labels },
    annotations: { summary: s.summary, description: s.description },
    activeAt: new Date(s.activeAt).toISOString(),
    startsAt: new Date(s.startsAt).toISOString(),
    ...(s.endsAt === undefined ? {} : { endsAt: new Date(s.endsAt).toISOString() }),
    ...(s.value === undefined ? {} : { value: s.value }),
    ...(s.about ? { about: s.about } : {}),
  };
}

/** Pending and firing alerts first (those active by `to`), then resolved ones, the latest resolved first. */
export function listAlerts(
  evaluator: AlertEvaluator,
  store: HistoryStore | undefined,
  q: AlertListQuery,
): AlertRecord[] {
  const records: AlertRecord[] = [];
  // By fingerprint and start: the evaluator's own record where it still has the alert (it carries `about`).
  const resolved = new Map<string, { endsAt: number; record: () => AlertRecord }>();
  const wantResolved = !q.state || q.state.includes('resolved');
  for (const alert of evaluator.list()) {
    if (q.severity && !q.severity.includes(alert.rule.severity)) continue;
    if (q.server && !q.server.includes(alert.serverId)) continue;
    if (alert.state !== 'resolved') {
      if ((!q.state || q.state.includes(alert.state)) && alert.activeAt <= q.to)
        records.push(recordOf(alert));
    } else if (wantResolved && (alert.startsAt ?? 0) <= q.to && (alert.endsAt ?? 0) >= q.from) {
      resolved.set(`${alert.fingerprint}@${alert.startsAt ?? alert.activeAt}`, {
        endsAt: alert.endsAt ?? 0,
        record: () => recordOf(alert),
      });
    }
  }
  if (!wantResolved) return records;
  // The store answers what it has written; the evaluator's hour covers what it has not yet.
  for (const saved of store?.queryAlerts(q) ?? []) {
    const key = `${saved.fingerprint}@${saved.startsAt}`;
    if (!resolved.has(key))
      resolved.set(key, { endsAt: saved.endsAt ?? 0, record: () => resolvedRecord(saved) });
  }
  const newest = [...resolved.values()].sort((a, b) => b.endsAt - a.endsAt).slice(0, q.limit);
  for (const { record } of newest) records.push(record());
  return records;
}
