// The `alerts:` (rules) and `notifications:` (receivers) sections of SSS_CONFIG. Every error names the rule or
// receiver by index and name, the key, and the valid values; the caller turns it into a SettingError.

import { readFileSync } from 'node:fs';
import {
  ALERT_KINDS,
  ALERT_SEVERITIES,
  type AlertKind,
  type AlertSeverity,
  isValidServerId,
  SERVER_ID_RULE,
  THRESHOLD_ALERT_KINDS,
} from '@sss/protocol';
import { templateProblem } from './template';

export type ThresholdKind = (typeof THRESHOLD_ALERT_KINDS)[number];

export const OPERATORS = ['>', '>=', '<', '<='] as const;
export type Operator = (typeof OPERATORS)[number];

/** The alertname a rule gets when it names none. */
export const DEFAULT_NAMES: Record<AlertKind, string> = {
  offline: 'ServerOffline',
  agentMissing: 'AgentMissing',
  nodeNotReady: 'NodeNotReady',
  cpu: 'HighCpuUsage',
  memory: 'HighMemoryUsage',
  disk: 'DiskAlmostFull',
  load: 'HighLoad',
  temperature: 'HighTemperature',
};

export interface AlertRule {
  name: string;
  kind: AlertKind;
  severity: AlertSeverity;
  /** How long the condition must hold before the alert fires, milliseconds. */
  forMs: number;
  /** The duration as written (`5m`), for messages. */
  forText: string;
  /** Threshold kinds only. */
  threshold?: number;
  operator: Operator;
  /** disk only: watch this mount point alone (else every filesystem, each its own alert). */
  path?: string;
  /** Scope: servers of this group (after the SSS_CONFIG overrides) ... */
  group?: string;
  /** ... or these server ids; neither: every server. */
  servers?: readonly string[];
  /** Labels added to every alert of the rule (for Alertmanager's routing, say). */
  labels?: Readonly<Record<string, string>>;
  /** Templates in place of the kind's English summary and description (see template.ts). */
  summary?: string;
  description?: string;
}

/** The labels the dashboard sets on an alert itself; a rule's `labels` may not set them. */
export const OWN_LABELS = ['alertname', 'severity', 'server_id', 'server_name', 'group', 'path'] as const;

/**
 * The rules that apply when SSS_CONFIG has no `alerts:` key (or there is no SSS_CONFIG): a server that stopped
 * reporting for 1 minute, a Node whose agent is missing for 5 minutes, a Node not Ready for 5 minutes. `alerts: []`
 * turns every rule off.
 */
export const DEFAULT_RULES: readonly AlertRule[] = [
  {
    name: 'ServerOffline',
    kind: 'offline',
    severity: 'critical',
    forMs: 60_000,
    forText: '1m',
    operator: '>',
  },
  {
    name: 'AgentMissing',
    kind: 'agentMissing',
    severity: 'warning',
    forMs: 300_000,
    forText: '5m',
    operator: '>',
  },
  {
    name: 'NodeNotReady',
    kind: 'nodeNotReady',
    severity: 'warning',
    forMs: 300_000,
    forText: '5m',
    operator: '>',
  },
];

export const RECEIVER_TYPES = ['webhook', 'slack', 'alertmanager'] as const;
export type ReceiverType = (typeof RECEIVER_TYPES)[number];

/** A value given inline or read from a file (a mounted Kubernetes Secret), re-read at every send. */
export type Secret = { value: string } | { file: string };

export interface ReceiverConfig {
  name: string;
  type: ReceiverType;
  /** The webhook's address; for alertmanager its base address (`/api/v2/alerts` is appended). */
  url: Secret;
  /** Sent as `Authorization: Bearer <token>`. */
  bearerToken?: Secret;
  timeoutMs: number;
  /** Severities this receiver gets; every one when absent. */
  severities?: readonly AlertSeverity[];
  /** Whether resolved alerts are sent too (default true). */
  sendResolved: boolean;
  /** alertmanager only: firing alerts are sent again this often, as Alertmanager expects (default 1m). */
  resendIntervalMs: number;
  /** Notifications waiting at most; the oldest goes when a new one arrives at a full queue. */
  queueSize: number;
}

export interface AlertsConfig {
  rules: readonly AlertRule[];
  receivers: readonly ReceiverConfig[];
  /** The address people open the dashboard at; links in notifications (generatorURL) start with it. */
  externalUrl?: string;
}

export const DEFAULT_ALERTS: AlertsConfig = { rules: DEFAULT_RULES, receivers: [] };

const RULE_KEYS = [
  'name',
  'kind',
  'for',
  'severity',
  'threshold',
  'operator',
  'path',
  'group',
  'servers',
  'labels',
  'summary',
  'description',
];
const RECEIVER_KEYS = [
  'name',
  'type',
  'url',
  'urlFile',
  'bearerToken',
  'bearerTokenFile',
  'timeout',
  'severities',
  'sendResolved',
  'resendInterval',
  'queueSize',
];
const ALERT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_RULE = 'a duration such as 30s, 5m, 1h30m (units d, h, m, s, ms)';

/** Milliseconds of a Prometheus-style duration (`1h30m`, `90s`, `0s`); undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match || text === '') return undefined;
  const [, d = '0', h = '0', m = '0', s = '0', ms = '0'] = match;
  return (((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(ms);
}

type Fail = (where: string, message: string) => never;

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneOfList<T extends string>(
  values: readonly T[],
  value: unknown,
  key: string,
  where: string,
  fail: Fail,
): T {
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    return fail(where, `"${key}" must be one of ${values.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function durationOf(value: unknown, key: string, where: string, fail: Fail): number {
  const text = typeof value === 'number' && value === 0 ? '0s' : value;
  const ms = typeof text === 'string' ? parseDuration(text) : undefined;
  if (ms === undefined) return fail(where, `"${key}" must be ${DURATION_RULE}, got ${JSON.stringify(value)}`);
  return ms;
}

function stringOf(value: unknown, key: string, where: string, fail: Fail): string {
  if (typeof value !== 'string' || value === '') return fail(where, `"${key}" must be a non-empty string`);
  return value;
}

function httpUrl(value: string, key: string, where: string, fail: Fail): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return fail(where, `"${key}" must be an http:// or https:// address, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Parses the `alerts:` list. */
export function parseRules(list: unknown, fail: Fail): AlertRule[] {
  if (!Array.isArray(list)) return fail('', `"alerts" must be a list of rules {${RULE_KEYS.join(', ')}}`);
  // Name and severity are an alert's labels beside the server's: two rules sharing both would share alerts (one
  // resolving what the other fires). A warning and a critical rule may share a name, as in Prometheus.
  const seen = new Set<string>();
  return list.map((item: unknown, i) => {
    const named = isMapping(item) && typeof item.name === 'string' ? ` (${item.name})` : '';
    const where = `alerts[${i}]${named}: `;
    if (!isMapping(item)) return fail(where, 'must be a mapping');
    for (const key of Object.keys(item)) {
      if (!RULE_KEYS.includes(key)) fail(where, `unknown key "${key}"; valid keys: ${RULE_KEYS.join(', ')}`);
    }
    if (item.kind === undefined) fail(where, `"kind" is required; valid kinds: ${ALERT_KINDS.join(', ')}`);
    const kind = oneOfList(ALERT_KINDS, item.kind, 'kind', where, fail);
    const name = item.name === undefined ? DEFAULT_NAMES[kind] : stringOf(item.name, 'name', where, fail);
    if (!ALERT_NAME.test(name)) {
      fail(where, `"name" must be letters, digits and _ (not starting with a digit), got "${name}"`);
    }
    const severity =
      item.severity === undefined
        ? 'warning'
        : oneOfList(ALERT_SEVERITIES, item.severity, 'severity', where, fail);
    if (seen.has(`${name} ${severity}`)) {
      fail(
        where,
        `name "${name}" with severity ${severity} is used by an earlier rule; give this one another name`,
      );
    }
    seen.add(`${name} ${severity}`);
    const forText = item.for === undefined ? '1m' : String(item.for);
    const forMs = item.for === undefined ? 60_000 : durationOf(item.for, 'for', where, fail);
    const isThreshold = (THRESHOLD_ALERT_KINDS as readonly string[]).includes(kind);
    const rule: AlertRule = { name, kind, severity, forMs, forText, operator: '>' };
    if (isThreshold) {
      if (typeof item.threshold !== 'number' || !Number.isFinite(item.threshold)) {
        fail(where, `"threshold" is required for kind ${kind} and must be a number`);
      }
      rule.threshold = item.threshold as number;
      if (item.operator !== undefined)
        rule.operator = oneOfList(OPERATORS, item.operator, 'operator', where, fail);
    } else {
      for (const key of ['threshold', 'operator']) {
        if (item[key] !== undefined) {
          fail(where, `"${key}" applies only to kinds ${THRESHOLD_ALERT_KINDS.join(', ')}, not ${kind}`);
        }
      }
    }
    if (item.path !== undefined) {
      if (kind !== 'disk') fail(where, `"path" applies only to kind disk, not ${kind}`);
      rule.path = stringOf(item.path, 'path', where, fail);
    }
    if (item.group !== undefined && item.servers !== undefined) {
      fail(where, 'give "group" or "servers", not both');
    }
    if (item.group !== undefined) rule.group = stringOf(item.group, 'group', where, fail);
    if (item.servers !== undefined) {
      const ids = item.servers;
      if (!Array.isArray(ids) || ids.length === 0) {
        fail(where, '"servers" must be a non-empty list of server ids');
      }
      for (const id of ids as unknown[]) {
        if (typeof id !== 'string' || !isValidServerId(id)) {
          fail(where, `"servers" entries must be server ids (${SERVER_ID_RULE}), got ${JSON.stringify(id)}`);
        }
      }
      rule.servers = ids as string[];
    }
    if (item.labels !== undefined) rule.labels = ruleLabels(item.labels, where, fail);
    // The labels the rule's alerts can have: the dashboard's own (path only for disk) and the rule's.
    const labels = [
      ...OWN_LABELS.filter((l) => l !== 'path' || kind === 'disk'),
      ...Object.keys(rule.labels ?? {}),
    ];
    for (const key of ['summary', 'description'] as const) {
      if (item[key] === undefined) continue;
      const text = stringOf(item[key], key, where, fail);
      const problem = templateProblem(text, labels, isThreshold);
      if (problem) fail(where, `"${key}": ${problem}`);
      rule[key] = text;
    }
    return rule;
  });
}

function ruleLabels(value: unknown, where: string, fail: Fail): Record<string, string> {
  if (!isMapping(value)) return fail(where, '"labels" must be a mapping of label names to strings');
  for (const [name, text] of Object.entries(value)) {
    if (!ALERT_NAME.test(name) || name.startsWith('__')) {
      fail(where, `"labels": "${name}" must be letters, digits and _ (not starting with a digit or __)`);
    }
    if ((OWN_LABELS as readonly string[]).includes(name)) {
      fail(
        where,
        `"labels": "${name}" is set by the dashboard; it may not be one of ${OWN_LABELS.join(', ')}`,
      );
    }
    if (typeof text !== 'string' || text === '')
      fail(where, `"labels": "${name}" must be a non-empty string`);
  }
  return value as Record<string, string>;
}

function secretOf(item: Record<string, unknown>, key: string, where: string, fail: Fail): Secret | undefined {
  const fileKey = `${key}File`;
  if (item[key] !== undefined && item[fileKey] !== undefined) {
    fail(where, `give "${key}" or "${fileKey}", not both`);
  }
  if (item[key] !== undefined) return { value: stringOf(item[key], key, where, fail) };
  if (item[fileKey] === undefined) return undefined;
  const file = stringOf(item[fileKey], fileKey, where, fail);
  try {
    if (readFileSync(file, 'utf8').trim() === '') fail(where, `"${fileKey}": "${file}" is empty`);
  } catch (err) {
    fail(where, `"${fileKey}": cannot read "${file}": ${(err as Error).message}`);
  }
  return { file };
}

/** Parses the `notifications:` list; files named by urlFile and bearerTokenFile must be readable now. */
export function parseReceivers(list: unknown, fail: Fail): ReceiverConfig[] {
  if (!Array.isArray(list)) {
    return fail('', `"notifications" must be a list of receivers {${RECEIVER_KEYS.join(', ')}}`);
  }
  const names = new Set<string>();
  return list.map((item: unknown, i) => {
    const named = isMapping(item) && typeof item.name === 'string' ? ` (${item.name})` : '';
    const where = `notifications[${i}]${named}: `;
    if (!isMapping(item)) return fail(where, 'must be a mapping');
    for (const key of Object.keys(item)) {
      if (!RECEIVER_KEYS.includes(key)) {
        fail(where, `unknown key "${key}"; valid keys: ${RECEIVER_KEYS.join(', ')}`);
      }
    }
    if (item.name === undefined) fail(where, '"name" is required');
    const name = stringOf(item.name, 'name', where, fail);
    if (!ALERT_NAME.test(name.replaceAll('-', '_'))) {
      fail(where, `"name" must be letters, digits, _ and -, got "${name}"`);
    }
    if (names.has(name)) fail(where, `name "${name}" is used twice`);
    names.add(name);
    if (item.type === undefined) fail(where, `"type" is required; valid types: ${RECEIVER_TYPES.join(', ')}`);
    const type = oneOfList(RECEIVER_TYPES, item.type, 'type', where, fail);
    const url = secretOf(item, 'url', where, fail);
    if (!url) return fail(where, '"url" or "urlFile" is required');
    if ('value' in url) httpUrl(url.value, 'url', where, fail);
    const receiver: ReceiverConfig = {
      name,
      type,
      url,
      timeoutMs: item.timeout === undefined ? 10_000 : durationOf(item.timeout, 'timeout', where, fail),
      sendResolved: true,
      resendIntervalMs: 60_000,
      queueSize: 1_000,
    };
    if (receiver.timeoutMs === 0) fail(where, '"timeout" must be longer than 0s');
    const token = secretOf(item, 'bearerToken', where, fail);
    if (token) receiver.bearerToken = token;
    if (item.severities !== undefined) {
      if (!Array.isArray(item.severities) || item.severities.length === 0) {
        fail(where, `"severities" must be a non-empty list of ${ALERT_SEVERITIES.join(', ')}`);
      }
      receiver.severities = (item.severities as unknown[]).map((s) =>
        oneOfList(ALERT_SEVERITIES, s, 'severities', where, fail),
      );
    }
    if (item.sendResolved !== undefined) {
      if (typeof item.sendResolved !== 'boolean') fail(where, '"sendResolved" must be true or false');
      receiver.sendResolved = item.sendResolved as boolean;
    }
    if (item.resendInterval !== undefined) {
      if (type !== 'alertmanager')
        fail(where, `"resendInterval" applies only to type alertmanager, not ${type}`);
      receiver.resendIntervalMs = durationOf(item.resendInterval, 'resendInterval', where, fail);
      if (receiver.resendIntervalMs < 1_000) fail(where, '"resendInterval" must be at least 1s');
    }
    if (item.queueSize !== undefined) {
      const size = item.queueSize;
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 100_000) {
        fail(where, `"queueSize" must be a whole number from 1 to 100000, got ${JSON.stringify(size)}`);
      }
      receiver.queueSize = size as number;
    }
    return receiver;
  });
}

/** Parses `externalUrl`. */
export function parseExternalUrl(value: unknown, fail: Fail): string {
  return httpUrl(stringOf(value, 'externalUrl', '', fail), 'externalUrl', '', fail).replace(/\/+$/, '');
}
