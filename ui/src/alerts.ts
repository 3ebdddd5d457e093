// The alert list's rows: the firing alerts ride on their servers' messages (live), the recently resolved ones come
// from GET /api/alerts. Pure functions, so the list logic is tested without a browser.

import {
  ALERT_SEVERITIES,
  type AlertAbout,
  type AlertKind,
  type AlertRecord,
  type AlertSeverity,
  type FrontendServerInfo,
} from '@sss/protocol';
import { type Lang, type MessageKey, message } from './messages';

export type SeverityFilter = 'all' | AlertSeverity;
export const SEVERITY_FILTERS: readonly SeverityFilter[] = ['all', ...ALERT_SEVERITIES];
export type AlertStateFilter = 'firing' | 'resolved' | 'all';
export const STATE_FILTERS: readonly AlertStateFilter[] = ['firing', 'resolved', 'all'];

export const SEVERITY_LABELS: Record<AlertSeverity, MessageKey> = {
  critical: 'severityCritical',
  warning: 'severityWarning',
  info: 'severityInfo',
};

export interface AlertRow {
  fingerprint: string;
  name: string;
  severity: AlertSeverity;
  serverId: string;
  serverName: string;
  summary: string;
  about?: AlertAbout;
  state: 'firing' | 'resolved';
  /** Unix seconds it started firing. */
  since: number;
  /** Unix seconds it resolved. */
  until?: number;
}

const STATE_TEXTS: Partial<Record<AlertKind, MessageKey>> = {
  offline: 'alertOffline',
  agentMissing: 'alertAgentMissing',
  nodeNotReady: 'alertNodeNotReady',
};
const WHAT: Partial<Record<AlertKind, MessageKey>> = {
  cpu: 'cpuUsage',
  memory: 'memoryUsage',
  load: 'loadChart',
  temperature: 'temperature',
};
const UNITS: Partial<Record<AlertKind, string>> = { cpu: ' %', memory: ' %', disk: ' %', temperature: ' °C' };

/**
 * An alert's summary in the ui's language: worded here from its parts where the dashboard sent them (its default
 * texts, in English in the summary), else the summary as written (a rule's own text, or an alert from before).
 */
export function summaryIn(
  lang: Lang,
  alert: { summary: string; about?: AlertAbout },
  names: { id: string; name: string },
): string {
  const about = alert.about;
  if (!about) return alert.summary;
  // As the dashboard words it: a Node by its name (the server id), any other server by its display name.
  const server = about.kind === 'agentMissing' || about.kind === 'nodeNotReady' ? names.id : names.name;
  const state = STATE_TEXTS[about.kind];
  if (state) return message(lang, state, { server });
  const limit = {
    op: about.operator ?? '>',
    threshold: `${about.threshold ?? ''}${UNITS[about.kind] ?? ''}`,
  };
  if (about.kind === 'disk')
    return message(lang, 'alertDiskThreshold', { server, path: about.path ?? '', ...limit });
  const what = WHAT[about.kind];
  return what
    ? message(lang, 'alertThreshold', { server, what: message(lang, what), ...limit })
    : alert.summary;
}

/** A server's firing alerts, as a string that changes exactly when they do. */
export function alertsKey(info: Pick<FrontendServerInfo, 'alerts'>): string {
  return info.alerts?.map((a) => a.fingerprint).join(',') ?? '';
}

export function firingRows(servers: readonly FrontendServerInfo[]): AlertRow[] {
  return servers.flatMap((info) =>
    (info.alerts ?? []).map((a) => ({
      fingerprint: a.fingerprint,
      name: a.name,
      severity: a.severity,
      serverId: info.serverId,
      serverName: info.serverName || info.serverId,
      summary: a.summary,
      ...(a.about ? { about: a.about } : {}),
      state: 'firing' as const,
      since: a.since,
    })),
  );
}

export function resolvedRows(records: readonly AlertRecord[]): AlertRow[] {
  return records
    .filter((r) => r.state === 'resolved' && r.startsAt && r.endsAt)
    .map((r) => ({
      fingerprint: r.fingerprint,
      name: r.labels.alertname ?? '',
      severity: (ALERT_SEVERITIES as readonly string[]).includes(r.labels.severity ?? '')
        ? (r.labels.severity as AlertSeverity)
        : 'info',
      serverId: r.labels.server_id ?? '',
      serverName: r.labels.server_name ?? r.labels.server_id ?? '',
      summary: r.annotations.summary,
      ...(r.about ? { about: r.about } : {}),
      state: 'resolved' as const,
      since: Date.parse(r.startsAt ?? '') / 1000,
      until: Date.parse(r.endsAt ?? '') / 1000,
    }));
}

/** The rows the filters let through: firing first, then by severity, then the newest first. */
export function selectRows(
  rows: readonly AlertRow[],
  severity: SeverityFilter,
  state: AlertStateFilter,
): AlertRow[] {
  const rank = (r: AlertRow) => ALERT_SEVERITIES.indexOf(r.severity);
  return rows
    .filter((r) => (severity === 'all' || r.severity === severity) && (state === 'all' || r.state === state))
    .sort(
      (a, b) =>
        (a.state === b.state ? 0 : a.state === 'firing' ? -1 : 1) ||
        rank(a) - rank(b) ||
        (b.until ?? b.since) - (a.until ?? a.since),
    );
}

/** The most severe of the firing alerts, for the toolbar's colour; undefined when none fire. */
export function worstSeverity(rows: readonly AlertRow[]): AlertSeverity | undefined {
  return ALERT_SEVERITIES.find((s) => rows.some((r) => r.state === 'firing' && r.severity === s));
}
