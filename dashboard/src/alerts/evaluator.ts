// Evaluates the alert rules against the hub's servers on a timer, never on the report path: a condition seen is
// pending, fires once it has held for the rule's `for`, and resolves when it stops holding (or the server goes).
// Each change of a server's firing alerts is handed to the hub (which pushes the server's message) and each
// firing or resolving to the notifier (and the history store). Alerts that were firing when the dashboard stopped
// are restored firing, with their startsAt, and go on through the same evaluation.

import {
  ALERT_SEVERITIES,
  type AlertAbout,
  type AlertRecord,
  type AlertState,
  type ServerAlert,
} from '@sss/protocol';
import type { Hub, ServerState } from '../hub/hub';
import type { SavedAlert } from '../store/store';
import type { AlertRule, Operator } from './config';
import { fingerprint } from './fingerprint';
import { expand } from './template';

/** Resolved alerts are listed this long after they resolved, and at most this many. */
export const KEEP_RESOLVED_MS = 60 * 60_000;
export const MAX_RESOLVED = 1_000;
/** Rule-server checks between two yields to the event loop. */
const VISITS_PER_SLICE = 2_000;
/**
 * A restored alert whose server has not reported since the start (its figures are stale) is kept firing this
 * long, the time its agent has to reconnect; then it resolves unless its condition holds.
 */
export const RESTORED_GRACE_MS = 60_000;

/** One alert instance: a rule, a server and (disk rules) a filesystem. */
export interface Alert {
  readonly key: string;
  /** The rule's name and severity (a restored alert's, from its labels, until a rule holds it again). */
  readonly rule: Pick<AlertRule, 'name' | 'severity'>;
  readonly serverId: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly fingerprint: string;
  readonly summary: string;
  readonly description: string;
  /** The default summary in parts (absent where the rule has its own summary, or restored and not held yet). */
  readonly about?: AlertAbout;
  state: AlertState;
  /** Milliseconds since the epoch. */
  readonly activeAt: number;
  startsAt?: number;
  endsAt?: number;
  value?: number;
}

/** A firing or resolving, as the notifier gets it. */
export type AlertEvent = Readonly<Alert>;

export interface EvaluatorOptions {
  rules: readonly AlertRule[];
  hub: Hub;
  /** Called with every alert that started firing or resolved, in the order they did. */
  notify: (events: readonly AlertEvent[]) => void;
  now?: () => number;
}

type Hold = (path: string, value?: number) => void;

const compare: Record<Operator, (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
};

function inScope(rule: AlertRule, s: ServerState): boolean {
  if (rule.servers) return rule.servers.includes(s.id);
  if (rule.group !== undefined) return s.info.group === rule.group;
  return true;
}

/**
 * Calls `hold` for each instance of the rule whose condition holds on this server now: path '' for rules with one
 * instance per server, the mount point for disk rules; the compared value for threshold rules. Threshold rules see
 * online servers only (an offline server's figures are stale). Allocates nothing: this runs for every rule and
 * server each second.
 */
function observe(rule: AlertRule, s: ServerState, hold: Hold): void {
  switch (rule.kind) {
    case 'offline':
      if (!s.online && !s.node) hold('');
      return;
    case 'agentMissing':
      if (s.node && !s.online) hold('');
      return;
    case 'nodeNotReady':
      if (s.node && s.node.ready !== 'true') hold('');
      return;
  }
  if (!s.online) return;
  const over = compare[rule.operator];
  const limit = rule.threshold as number;
  const { info } = s;
  let value: number | undefined;
  switch (rule.kind) {
    case 'cpu':
      value = info.cpu.percent;
      break;
    case 'memory':
      value = info.memory.usedPercent;
      break;
    case 'load':
      value = info.cpu.load1;
      break;
    case 'temperature':
      for (const t of info.temperatures ?? [])
        if (value === undefined || t.celsius > value) value = t.celsius;
      break;
    case 'disk':
      for (const d of info.disk) {
        if ((rule.path === undefined || d.path === rule.path) && over(d.usedPercent, limit))
          hold(d.path, d.usedPercent);
      }
      return;
  }
  if (value !== undefined && over(value, limit)) hold('', value);
}

const WHAT: Record<AlertRule['kind'], string> = {
  offline: '',
  agentMissing: '',
  nodeNotReady: '',
  cpu: 'CPU usage',
  memory: 'Memory usage',
  disk: 'Disk usage',
  load: 'Load average (1 min)',
  temperature: 'Temperature',
};

function unit(rule: AlertRule): string {
  return rule.kind === 'load' ? '' : rule.kind === 'temperature' ? ' °C' : ' %';
}

function round(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/**
 * Summary and description, written once when the instance is first seen (Alertmanager keeps the latest): the rule's
 * own templates where it has them, else the kind's English texts.
 */
function describe(
  rule: AlertRule,
  s: ServerState,
  path: string,
  labels: Readonly<Record<string, string>>,
  value: number | undefined,
): { summary: string; description: string; about?: AlertAbout } {
  const texts = defaultTexts(rule, s, path, value);
  const shown = value === undefined ? '' : round(value);
  return {
    description: rule.description === undefined ? texts.description : expand(rule.description, labels, shown),
    ...(rule.summary === undefined
      ? { summary: texts.summary, about: aboutOf(rule, path) }
      : { summary: expand(rule.summary, labels, shown) }),
  };
}

/** The default summary's parts, for a browser to word (undefined where the rule has a summary of its own). */
function aboutOf(rule: AlertRule, path: string): AlertAbout | undefined {
  if (rule.summary !== undefined) return undefined;
  return {
    kind: rule.kind,
    ...(rule.threshold === undefined ? {} : { operator: rule.operator, threshold: rule.threshold }),
    ...(path ? { path } : {}),
  };
}

function defaultTexts(
  rule: AlertRule,
  s: ServerState,
  path: string,
  value: number | undefined,
): { summary: string; description: string } {
  const name = s.info.serverName || s.id;
  const who = name === s.id ? s.id : `${name} (${s.id})`;
  switch (rule.kind) {
    case 'offline':
      return {
        summary: `${name} is offline`,
        description: `${who} has not reported for ${rule.forText} or more.`,
      };
    case 'agentMissing':
      return {
        summary: `No agent reports for Node ${s.id}`,
        description: `The Kubernetes Node ${s.id} has had no reporting agent for ${rule.forText} or more.`,
      };
    case 'nodeNotReady':
      return {
        summary: `Node ${s.id} is not Ready`,
        description: `The Kubernetes Node ${s.id} has not been Ready for ${rule.forText} or more${
          s.node?.readyReason ? `: ${s.node.readyReason}` : ''
        }.`,
      };
    default: {
      const where = rule.kind === 'disk' ? ` of ${path}` : '';
      const u = unit(rule);
      return {
        summary: `${WHAT[rule.kind]}${where} on ${name} ${rule.operator} ${rule.threshold}${u}`,
        description: `${WHAT[rule.kind]}${where} on ${who} is ${round(value ?? 0)}${u} (${rule.operator} ${
          rule.threshold
        }${u} for ${rule.forText}).`,
      };
    }
  }
}

function labelsOf(rule: AlertRule, s: ServerState, path: string): Record<string, string> {
  return {
    alertname: rule.name,
    severity: rule.severity,
    server_id: s.id,
    server_name: s.info.serverName || s.id,
    ...(s.info.group ? { group: s.info.group } : {}),
    ...(path ? { path } : {}),
    ...rule.labels,
  };
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

export function recordOf(alert: Alert): AlertRecord {
  const startsAt = iso(alert.startsAt);
  const endsAt = iso(alert.endsAt);
  return {
    fingerprint: alert.fingerprint,
    state: alert.state,
    labels: { ...alert.labels },
    annotations: { summary: alert.summary, description: alert.description },
    ...(alert.about ? { about: alert.about } : {}),
    activeAt: new Date(alert.activeAt).toISOString(),
    ...(startsAt ? { startsAt } : {}),
    ...(endsAt ? { endsAt } : {}),
    ...(alert.value === undefined ? {} : { value: alert.value }),
  };
}

/** The alert as the history store keeps it. */
export function savedOf(alert: Alert): SavedAlert {
  return {
    fingerprint: alert.fingerprint,
    labels: alert.labels,
    summary: alert.summary,
    description: alert.description,
    activeAt: alert.activeAt,
    startsAt: alert.startsAt ?? alert.activeAt,
    endsAt: alert.endsAt,
    value: alert.value,
    ...(alert.about ? { about: alert.about } : {}),
  };
}

function severityOf(labels: Readonly<Record<string, string>>): AlertRule['severity'] {
  const given = labels.severity as AlertRule['severity'];
  return ALERT_SEVERITIES.includes(given) ? given : 'warning';
}

export class AlertEvaluator {
  /** Pending and firing alerts by key. */
  private readonly active = new Map<string, Alert>();
  /** Restored alerts that no rule has held since the start, by fingerprint (they are in `active` too). */
  private readonly restored = new Map<string, Alert>();
  private readonly startedAt: number;
  /** Resolved alerts, oldest first. */
  private readonly resolved: Alert[] = [];
  private readonly now: () => number;
  private running: Promise<void> | undefined;

  constructor(private readonly options: EvaluatorOptions) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
  }

  /**
   * Lists alerts that were firing when the dashboard stopped as firing, with their startsAt, without notifying.
   * The first evaluation in which a rule holds one adopts it (no new firing); one no rule holds resolves as any
   * alert does, once its server has reported since the start (or RESTORED_GRACE_MS passed). Call before the
   * first evaluation; returns the alerts restored.
   */
  restore(saved: readonly SavedAlert[]): Alert[] {
    const out: Alert[] = [];
    const servers = new Set<string>();
    for (const s of saved) {
      if (this.restored.has(s.fingerprint)) continue;
      const labels = { ...s.labels };
      const alert: Alert = {
        key: `restored\u0000${s.fingerprint}`,
        rule: { name: labels.alertname ?? '', severity: severityOf(labels) },
        serverId: labels.server_id ?? '',
        labels,
        fingerprint: s.fingerprint,
        summary: s.summary,
        description: s.description,
        state: 'firing',
        activeAt: s.activeAt,
        startsAt: s.startsAt,
        ...(s.value === undefined ? {} : { value: s.value }),
        ...(s.about ? { about: s.about } : {}),
      };
      this.active.set(alert.key, alert);
      this.restored.set(alert.fingerprint, alert);
      servers.add(alert.serverId);
      out.push(alert);
    }
    const byServer = this.firingBy(servers);
    for (const id of servers) this.options.hub.setAlerts(id, byServer.get(id) ?? []);
    return out;
  }

  /**
   * One evaluation of every rule against every server (as they were when it started). It yields to the event loop
   * every VISITS_PER_SLICE rule-server checks, so a large fleet's evaluation never holds up reports and browsers.
   * Called while one runs, it returns that one.
   */
  evaluate(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    const now = this.now();
    const servers = [...this.options.hub.list()];
    const seen = new Set<string>();
    const changed = new Set<string>();
    const events: Alert[] = [];
    const { hub, rules } = this.options;
    let rule: AlertRule;
    let index = 0;
    let server: ServerState;
    const hold: Hold = (path, value) => {
      const key = `${index}\u0000${server.id}\u0000${path}`;
      seen.add(key);
      let alert = this.active.get(key);
      if (!alert) {
        const labels = labelsOf(rule, server, path);
        const print = fingerprint(labels);
        const was = this.restored.get(print);
        if (was) {
          // Restored firing: this rule holds it again, so it goes on firing as it was.
          this.restored.delete(print);
          this.active.delete(was.key);
          const about = aboutOf(rule, path);
          alert = { ...was, key, rule, serverId: server.id, ...(about ? { about } : {}) };
          // Its server's message carries the alert's about from now on.
          if (about) changed.add(server.id);
        } else {
          alert = {
            key,
            rule,
            serverId: server.id,
            labels,
            fingerprint: print,
            ...describe(rule, server, path, labels, value),
            state: 'pending',
            activeAt: now,
          };
        }
        this.active.set(key, alert);
      }
      alert.value = value;
      if (alert.state === 'pending' && now - alert.activeAt >= rule.forMs) {
        alert.state = 'firing';
        alert.startsAt = now;
        changed.add(server.id);
        events.push(alert);
      }
    };
    let visits = 0;
    for (; index < rules.length; index++) {
      rule = rules[index] as AlertRule;
      for (server of servers) {
        if (inScope(rule, server)) observe(rule, server, hold);
        if (++visits % VISITS_PER_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    }
    for (const [key, alert] of this.active) {
      if (seen.has(key)) continue;
      if (this.restored.get(alert.fingerprint) === alert) {
        // Its server has not reported since the start: its figures are stale, wait for them a while.
        if (hub.get(alert.serverId)?.online === false && now - this.startedAt < RESTORED_GRACE_MS) continue;
        this.restored.delete(alert.fingerprint);
      }
      this.active.delete(key);
      if (alert.state !== 'firing') continue;
      alert.state = 'resolved';
      alert.endsAt = now;
      this.resolved.push(alert);
      changed.add(alert.serverId);
      events.push(alert);
    }
    this.forgetResolved(now);
    if (changed.size > 0) {
      const byServer = this.firingBy(changed);
      for (const id of changed) hub.setAlerts(id, byServer.get(id) ?? []);
    }
    if (events.length > 0) this.options.notify(events);
  }

  /** Pending and firing alerts, then the resolved ones kept, newest first. */
  list(): Alert[] {
    return [...this.active.values(), ...[...this.resolved].reverse()];
  }

  firing(): Alert[] {
    return [...this.active.values()].filter((a) => a.state === 'firing');
  }

  /** The firing alerts of these servers as their messages carry them, most severe first, then oldest first. */
  private firingBy(servers: ReadonlySet<string>): Map<string, ServerAlert[]> {
    const byServer = new Map<string, Alert[]>();
    for (const a of this.active.values()) {
      if (a.state !== 'firing' || !servers.has(a.serverId)) continue;
      const list = byServer.get(a.serverId);
      if (list) list.push(a);
      else byServer.set(a.serverId, [a]);
    }
    const rank = (a: Alert) => ALERT_SEVERITIES.indexOf(a.rule.severity);
    const out = new Map<string, ServerAlert[]>();
    for (const [id, list] of byServer) {
      list.sort((a, b) => rank(a) - rank(b) || (a.startsAt ?? 0) - (b.startsAt ?? 0));
      out.set(
        id,
        list.map((a) => ({
          name: a.rule.name,
          severity: a.rule.severity,
          summary: a.summary,
          ...(a.about ? { about: a.about } : {}),
          since: (a.startsAt ?? a.activeAt) / 1000,
          fingerprint: a.fingerprint,
        })),
      );
    }
    return out;
  }

  private forgetResolved(now: number): void {
    let drop = Math.max(0, this.resolved.length - MAX_RESOLVED);
    while (drop < this.resolved.length && now - (this.resolved[drop]?.endsAt ?? now) > KEEP_RESOLVED_MS)
      drop++;
    if (drop > 0) this.resolved.splice(0, drop);
  }
}
