// Alerts the dashboard evaluates from its own rules (SSS_CONFIG `alerts:`), in Alertmanager's terms: an alert is
// identified by its labels (alertname, severity, server_id, server_name, group, path), described by annotations
// (summary, description), and fires from startsAt until endsAt.

/** Severities, most urgent first (Alertmanager has no fixed set; these are the usual ones). */
export const ALERT_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** pending: the condition holds but not yet for the rule's `for`; firing; resolved: it fired and stopped. */
export const ALERT_STATES = ['pending', 'firing', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** What a built-in rule watches: a server's state, or one of its reported figures against a threshold. */
export const STATE_ALERT_KINDS = ['offline', 'agentMissing', 'nodeNotReady'] as const;
export const THRESHOLD_ALERT_KINDS = ['cpu', 'memory', 'disk', 'load', 'temperature'] as const;
export const ALERT_KINDS = [...STATE_ALERT_KINDS, ...THRESHOLD_ALERT_KINDS] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * What the default summary says, in parts a browser words in its own language (the summary itself is English). Absent
 * where the rule wrote its own summary, which is shown as written.
 */
export interface AlertAbout {
  kind: AlertKind;
  /** Threshold kinds: the comparison, e.g. `>` and 90 (percent, load or °C as the kind has it). */
  operator?: string;
  threshold?: number;
  /** disk: the filesystem's mount point. */
  path?: string;
}

/**
 * A firing alert as it rides on its server's FrontendServerInfo (`alerts`): enough for a badge and its tooltip. A
 * change of a server's firing alerts pushes the server's message.
 */
export interface ServerAlert {
  /** The `alertname` label. */
  name: string;
  severity: AlertSeverity;
  /** The summary annotation. */
  summary: string;
  about?: AlertAbout;
  /** Unix seconds the alert started firing. */
  since: number;
  /** Alertmanager's fingerprint of the labels (16 hex digits). */
  fingerprint: string;
}

/** One alert as `GET /api/alerts` lists it. */
export interface AlertRecord {
  fingerprint: string;
  state: AlertState;
  labels: Record<string, string>;
  annotations: { summary: string; description: string };
  about?: AlertAbout;
  /** RFC 3339: when the condition was first seen (pending from then on). */
  activeAt: string;
  /** RFC 3339: when it started firing; absent while pending. */
  startsAt?: string;
  /** RFC 3339: when it resolved; absent unless resolved. */
  endsAt?: string;
  /** The value the rule compared when it was last evaluated (threshold kinds only). */
  value?: number;
}
