// Evaluates the alert rules against the hub's servers on a timer, never on the report path: a condition seen is
// pending, fires once it has held for the rule's `for`, and resolves when it stops holding (or the server goes).
// Each change of a server's firing alerts is handed to the hub (which pushes the server's message) and each
// firing or resolving to the notifier.

import { ALERT_SEVERITIES, type AlertRecord, type AlertState, type ServerAlert } from '@sss/protocol';
import type { Hub, ServerState } from '../hub/hub';
import type { AlertRule, Operator } from './config';
import { fingerprint } from './fingerprint';

/** Resolved alerts are listed this long after they resolved, and at most this many. */
export const KEEP_RESOLVED_MS = 60 * 60_000;
export const MAX_RESOLVED = 1_000;

/** One alert instance: a rule, a server and (disk rules) a filesystem. */
export interface Alert {
  readonly key: string;
  readonly rule: AlertRule;
  readonly serverId: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly fingerprint: string;
  readonly summary: string;
  readonly description: string;
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

/** What a rule sees of one server: the instances whose condition holds now, with the compared value. */
interface Observation {
  /** '' for rules with one instance per server; the mount point for disk rules. */
  path: string;
  value?: number;
}

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

/** The figure a threshold rule compares, per instance; none while the server is offline (its figures are stale). */
function figures(rule: AlertRule, s: ServerState): Observation[] {
  if (!s.online) return [];
  const { info } = s;
  switch (rule.kind) {
    case 'cpu':
      return [{ path: '', value: info.cpu.percent }];
    case 'memory':
      return [{ path: '', value: info.memory.usedPercent }];
    case 'load':
      return info.cpu.load1 === undefined ? [] : [{ path: '', value: info.cpu.load1 }];
    case 'temperature': {
      const list = info.temperatures ?? [];
      return list.length === 0 ? [] : [{ path: '', value: Math.max(...list.map((t) => t.celsius)) }];
    }
    case 'disk':
      return info.disk
        .filter((d) => rule.path === undefined || d.path === rule.path)
        .map((d) => ({ path: d.path, value: d.usedPercent }));
    default:
      return [];
  }
}

function observe(rule: AlertRule, s: ServerState): Observation[] {
  switch (rule.kind) {
    case 'offline':
      return !s.online && !s.node ? [{ path: '' }] : [];
    case 'agentMissing':
      return s.node && !s.online ? [{ path: '' }] : [];
    case 'nodeNotReady':
      return s.node && s.node.ready !== 'true' ? [{ path: '' }] : [];
    default: {
      const holds = compare[rule.operator];
      return figures(rule, s).filter((o) => holds(o.value as number, rule.threshold as number));
    }
  }
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

/** Summary and description, written once when the instance is first seen (Alertmanager keeps the latest). */
function describe(rule: AlertRule, s: ServerState, o: Observation): { summary: string; description: string } {
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
      const where = rule.kind === 'disk' ? ` of ${o.path}` : '';
      const u = unit(rule);
      return {
        summary: `${WHAT[rule.kind]}${where} on ${name} ${rule.operator} ${rule.threshold}${u}`,
        description: `${WHAT[rule.kind]}${where} on ${who} is ${round(o.value ?? 0)}${u} (${rule.operator} ${
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
    activeAt: new Date(alert.activeAt).toISOString(),
    ...(startsAt ? { startsAt } : {}),
    ...(endsAt ? { endsAt } : {}),
    ...(alert.value === undefined ? {} : { value: alert.value }),
  };
}

export class AlertEvaluator {
  /** Pending and firing alerts by key. */
  private readonly active = new Map<string, Alert>();
  /** Resolved alerts, oldest first. */
  private readonly resolved: Alert[] = [];
  private readonly now: () => number;

  constructor(private readonly options: EvaluatorOptions) {
    this.now = options.now ?? Date.now;
  }

  get rules(): readonly AlertRule[] {
    return this.options.rules;
  }

  /** One evaluation of every rule against every server. */
  evaluate(): void {
    const now = this.now();
    const seen = new Set<string>();
    const changed = new Set<string>();
    const events: Alert[] = [];
    const { hub, rules } = this.options;
    for (const [index, rule] of rules.entries()) {
      for (const s of hub.list()) {
        if (!inScope(rule, s)) continue;
        for (const o of observe(rule, s)) {
          const key = `${index}\u0000${s.id}\u0000${o.path}`;
          seen.add(key);
          let alert = this.active.get(key);
          if (!alert) {
            const labels = labelsOf(rule, s, o.path);
            alert = {
              key,
              rule,
              serverId: s.id,
              labels,
              fingerprint: fingerprint(labels),
              ...describe(rule, s, o),
              state: 'pending',
              activeAt: now,
            };
            this.active.set(key, alert);
          }
          alert.value = o.value;
          if (alert.state === 'pending' && now - alert.activeAt >= rule.forMs) {
            alert.state = 'firing';
            alert.startsAt = now;
            changed.add(s.id);
            events.push(alert);
          }
        }
      }
    }
    for (const [key, alert] of this.active) {
      if (seen.has(key)) continue;
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
