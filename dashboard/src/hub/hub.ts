import {
  type FrontendServerInfo,
  type HistoryPoint,
  historyPointOf,
  type KubernetesNodeInfo,
  OFFLINE_AFTER_INTERVALS,
  type ServerAlert,
  type ServerInfo,
  type Validation,
  validateServerInfo,
} from '@sss/protocol';
import type { ServerEntry } from '../config';
import { sameFacts } from '../kubernetes/node-facts';
import { HistoryRing } from './history';

export interface ServerState {
  readonly id: string;
  /**
   * The last report with the SSS_CONFIG overrides applied; for a Node whose agent never reported, a stand-in of the
   * seed's shape made from the Node (its capacity, zeros elsewhere), so clients written to the seed keep working.
   */
  info: ServerInfo;
  online: boolean;
  /** Milliseconds since the epoch of the last report's receipt; 0 when the agent never reported. */
  lastSeen: number;
  reports: number;
  /** The Node's facts while the server id is the name of a Node of the watched cluster. */
  node: KubernetesNodeInfo | undefined;
  /** The Node was deleted while its agent still reported: the server is forgotten once the agent goes. */
  nodeDeleted: boolean;
  readonly history: HistoryRing;
  /** The server's firing alerts (set by the alert evaluator), and their JSON ('' when none). */
  alerts: readonly ServerAlert[];
  alertsJson: string;
  /** The state as the frontends get it, serialised once per change and shared by every connection. */
  message: Buffer;
}

/** Called with every change to push: the server's id and its serialised FrontendServerInfo. */
export type Listener = (serverId: string, message: Buffer) => void;

/**
 * What the hub applied, for whatever keeps it beyond the process (the history store). Called after the change is
 * in the state and its message is built.
 */
export interface HubObserver {
  /** A report was applied; `point` went into the ring at `t`, Unix seconds. `first`: the server is new. */
  reported(state: ServerState, t: number, point: HistoryPoint, first: boolean): void;
  wentOffline(state: ServerState): void;
  removed(id: string): void;
  /** A server another replica has (Redis's state hash) was listed here without a report of its own. */
  adopted(state: ServerState): void;
}

export interface HubOptions {
  intervalSeconds: number;
  historySize: number;
  /** Per-server overrides from SSS_CONFIG. */
  servers?: ReadonlyMap<string, ServerEntry> | undefined;
  now?: () => number;
}

/** What a Node whose agent never reported looks like, in the seed's shape: the Node's capacity, zeros elsewhere. */
export function standInReport(node: KubernetesNodeInfo): ServerInfo {
  return {
    serverId: node.nodeName,
    serverName: node.nodeName,
    ...(node.internalIP ? { ip: node.internalIP } : {}),
    cpu: { percent: 0, cores: node.capacity.cpu, modelName: '' },
    memory: { total: node.capacity.memory, used: 0, available: node.capacity.memory, usedPercent: 0 },
    disk: [],
    network: { interfaceName: '', bytesSent: 0, bytesRecv: 0, inSpeed: 0, outSpeed: 0 },
    system: {
      hostname: node.nodeName,
      os: '',
      platform: '',
      arch: node.architecture,
      kernel: node.kernelVersion,
      uptime: 0,
    },
    timestamp: 0,
  };
}

function withOverrides(info: ServerInfo, entry: ServerEntry | undefined): ServerInfo {
  if (!entry) return info;
  const { name, group, countryCode, location } = entry;
  return {
    ...info,
    ...(name ? { serverName: name } : {}),
    ...(group ? { group } : {}),
    ...(countryCode ? { countryCode } : {}),
    ...(location ? { location } : {}),
  };
}

/** The report inside a server's public form: the dashboard's own fields dropped. */
export function reportOfView(view: FrontendServerInfo): ServerInfo {
  const {
    online: _o,
    lastSeen: _l,
    removed: _r,
    agentMissing: _a,
    kubernetes: _k,
    alerts: _al,
    ...report
  } = view;
  return report;
}

/**
 * A server's public form from outside this process (another replica over Redis, the history store) checked as an
 * agent's report is: the clean report, or the first offending field. Never trusted unchecked: one bad state would
 * break the alert rules and /metrics on every replica that applies it.
 */
export function validReportOfView(view: unknown): Validation<ServerInfo> {
  if (typeof view !== 'object' || view === null || Array.isArray(view)) {
    return { ok: false, field: '', message: 'must be an object' };
  }
  return validateServerInfo(reportOfView(view as FrontendServerInfo));
}

/** The dashboard's state: the latest report of every server, online/offline, history; no sockets here. */
export class Hub {
  private readonly servers = new Map<string, ServerState>();
  private readonly listeners = new Set<Listener>();
  private readonly now: () => number;
  /** Set once at start, after the servers the store knew are restored. */
  observer: HubObserver | undefined;
  /** Servers the sweep leaves as they are although their reports are late (see ReplicaBus.heldElsewhere). */
  spared: ((id: string) => boolean) | undefined;
  readonly offlineAfterMs: number;

  constructor(private readonly options: HubOptions) {
    this.now = options.now ?? Date.now;
    this.offlineAfterMs = options.intervalSeconds * 1000 * OFFLINE_AFTER_INTERVALS;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(id: string): ServerState | undefined {
    return this.servers.get(id);
  }

  list(): IterableIterator<ServerState> {
    return this.servers.values();
  }

  get size(): number {
    return this.servers.size;
  }

  /** Servers that are no Kubernetes Node: the ones SSS_MAX_SERVERS bounds (the cluster bounds its Nodes). */
  countWithoutNodes(): number {
    let count = 0;
    for (const state of this.servers.values()) if (state.node === undefined) count++;
    return count;
  }

  /**
   * Stores a validated report and pushes it. `json`, when given, is the report's own JSON text (the agent's, when
   * validating changed nothing): the pushed message is built on it instead of serialising the report again.
   */
  report(report: ServerInfo, json?: string): ServerState {
    const now = this.now();
    const info = this.withOverrides(report);
    // Before anything changes: a report it throws on leaves no half-built state behind.
    const point = historyPointOf(info);
    let state = this.servers.get(info.serverId);
    const first = state === undefined;
    if (state) {
      state.info = info;
      state.online = true;
      state.lastSeen = now;
      state.reports++;
    } else {
      state = this.add(info);
      state.online = true;
      state.lastSeen = now;
      state.reports = 1;
    }
    state.history.push(now / 1000, point);
    this.publish(state, false, info === report ? json : undefined);
    this.observer?.reported(state, now / 1000, point, first);
    return state;
  }

  /**
   * A server known before a restart (the store's last state of it) or to the other replicas (Redis): listed at
   * once with the last report and when it came (`lastSeen`, ms), offline unless `online` and its reports are still
   * due. Not when the server is already here or SSS_CONFIG no longer lists it.
   */
  restore(view: FrontendServerInfo | ServerInfo, lastSeen: number, online = false): ServerState | undefined {
    const report = reportOfView(view as FrontendServerInfo);
    if (this.servers.has(report.serverId)) return undefined;
    if (this.options.servers && !this.options.servers.has(report.serverId)) return undefined;
    const state = this.add(this.withOverrides(report));
    state.lastSeen = lastSeen;
    // Online only while its reports are due (another replica's live server); the sweep goes on from lastSeen.
    state.online = online && lastSeen > this.now() - this.offlineAfterMs;
    this.publish(state);
    return state;
  }

  /** Restores a server another replica has (see restore) and tells the observer, so the store keeps it too. */
  adopt(view: FrontendServerInfo | ServerInfo, lastSeen: number, online: boolean): void {
    const state = this.restore(view, lastSeen, online);
    if (state) this.observer?.adopted(state);
  }

  /** The agent's connection closed: the server is offline at once. */
  disconnected(id: string): void {
    const state = this.servers.get(id);
    if (state?.online) this.offline(state);
  }

  /** Marks offline every server that missed OFFLINE_AFTER_INTERVALS report intervals. */
  sweep(): void {
    const deadline = this.now() - this.offlineAfterMs;
    for (const state of this.servers.values()) {
      if (state.online && state.lastSeen < deadline && !this.spared?.(state.id)) this.offline(state);
    }
  }

  /**
   * A Node appeared or one of its facts changed. A Node no agent reported for yet becomes a server at once, shown
   * as missing its agent.
   */
  upsertNode(node: KubernetesNodeInfo): void {
    const state = this.servers.get(node.nodeName) ?? this.add(this.withOverrides(standInReport(node)));
    if (state.node && !state.nodeDeleted && sameFacts(state.node, node)) return;
    state.node = node;
    state.nodeDeleted = false;
    if (state.reports === 0) state.info = this.withOverrides(standInReport(node));
    this.publish(state);
  }

  /** The Node was deleted: its server goes too, at once if its agent is gone, else when the agent goes. */
  removeNode(name: string): void {
    const state = this.servers.get(name);
    if (!state?.node) return;
    if (!state.online) {
      this.remove(name);
      return;
    }
    state.node = undefined;
    state.nodeDeleted = true;
    this.publish(state);
  }

  /** The server's firing alerts changed: its message carries the new list (`alerts`, absent when empty). */
  setAlerts(id: string, alerts: readonly ServerAlert[]): void {
    const state = this.servers.get(id);
    if (!state) return;
    state.alerts = alerts;
    state.alertsJson = alerts.length > 0 ? JSON.stringify(alerts) : '';
    this.publish(state);
  }

  /** Forgets a server; frontends get its last state once more with `removed: true`. */
  remove(id: string): boolean {
    const state = this.servers.get(id);
    if (!state) return false;
    this.servers.delete(id);
    state.online = false;
    this.publish(state, true);
    this.observer?.removed(id);
    return true;
  }

  /** The public form of a server, as REST and the frontends see it. */
  static view(state: ServerState, removed = false): FrontendServerInfo {
    return {
      ...state.info,
      online: state.online,
      lastSeen: state.lastSeen / 1000,
      ...(removed ? { removed: true } : {}),
      ...(state.node && !state.online ? { agentMissing: true } : {}),
      ...(state.node ? { kubernetes: state.node } : {}),
      ...(state.alerts.length > 0 ? { alerts: [...state.alerts] } : {}),
    };
  }

  private add(info: ServerInfo): ServerState {
    const state: ServerState = {
      id: info.serverId,
      info,
      online: false,
      lastSeen: 0,
      reports: 0,
      node: undefined,
      nodeDeleted: false,
      history: new HistoryRing(this.options.historySize),
      alerts: [],
      alertsJson: '',
      message: Buffer.alloc(0),
    };
    this.servers.set(state.id, state);
    return state;
  }

  private offline(state: ServerState): void {
    if (state.nodeDeleted) {
      this.remove(state.id);
      return;
    }
    state.online = false;
    this.publish(state);
    this.observer?.wentOffline(state);
  }

  private withOverrides(info: ServerInfo): ServerInfo {
    return withOverrides(info, this.options.servers?.get(info.serverId));
  }

  /**
   * The bytes of JSON.stringify(Hub.view(state, removed)), without first copying the report into a new object: the
   * report's JSON with the dashboard's fields appended (the validator keeps no field of those names in a report).
   * With `json`, the report's own JSON text, that text stands for the report's JSON (the same object, maybe other
   * spacing and key order).
   */
  static serialise(state: ServerState, removed = false, json?: string): string {
    const info = json?.trimEnd() ?? JSON.stringify(state.info);
    if (info.length < 3 || !info.endsWith('}')) return JSON.stringify(Hub.view(state, removed));
    let extra = `,"online":${state.online},"lastSeen":${state.lastSeen / 1000}`;
    if (removed) extra += ',"removed":true';
    if (state.node && !state.online) extra += ',"agentMissing":true';
    if (state.node) extra += `,"kubernetes":${JSON.stringify(state.node)}`;
    if (state.alertsJson) extra += `,"alerts":${state.alertsJson}`;
    return `${info.slice(0, -1)}${extra}}`;
  }

  private publish(state: ServerState, removed = false, json?: string): void {
    state.message = Buffer.from(Hub.serialise(state, removed, json));
    for (const listener of this.listeners) listener(state.id, state.message);
  }
}
