import {
  type FrontendServerInfo,
  historyPointOf,
  OFFLINE_AFTER_INTERVALS,
  type ServerInfo,
} from '@sss/protocol';
import type { ServerEntry } from '../config';
import { HistoryRing } from './history';

export interface ServerState {
  readonly id: string;
  /** The last report with the SSS_CONFIG overrides applied. */
  info: ServerInfo;
  online: boolean;
  /** Milliseconds since the epoch of the last report's receipt. */
  lastSeen: number;
  reports: number;
  readonly history: HistoryRing;
  /** The state as the frontends get it, serialised once per change and shared by every connection. */
  message: Buffer;
}

/** Called with every change to push: the server's id and its serialised FrontendServerInfo. */
export type Listener = (serverId: string, message: Buffer) => void;

export interface HubOptions {
  intervalSeconds: number;
  historySize: number;
  /** Per-server overrides from SSS_CONFIG. */
  servers?: ReadonlyMap<string, ServerEntry> | undefined;
  now?: () => number;
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

/** The dashboard's state: the latest report of every server, online/offline, history; no sockets here. */
export class Hub {
  private readonly servers = new Map<string, ServerState>();
  private readonly listeners = new Set<Listener>();
  private readonly now: () => number;
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

  /** Stores a validated report and pushes it. */
  report(report: ServerInfo): ServerState {
    const now = this.now();
    const info = withOverrides(report, this.options.servers?.get(report.serverId));
    let state = this.servers.get(info.serverId);
    if (state) {
      state.info = info;
      state.online = true;
      state.lastSeen = now;
      state.reports++;
    } else {
      const history = new HistoryRing(this.options.historySize);
      state = {
        id: info.serverId,
        info,
        online: true,
        lastSeen: now,
        reports: 1,
        history,
        message: Buffer.alloc(0),
      };
      this.servers.set(state.id, state);
    }
    state.history.push(now / 1000, historyPointOf(info));
    this.publish(state);
    return state;
  }

  /** The agent's connection closed: the server is offline at once. */
  disconnected(id: string): void {
    const state = this.servers.get(id);
    if (state?.online) {
      state.online = false;
      this.publish(state);
    }
  }

  /** Marks offline every server that missed OFFLINE_AFTER_INTERVALS report intervals. */
  sweep(): void {
    const deadline = this.now() - this.offlineAfterMs;
    for (const state of this.servers.values()) {
      if (state.online && state.lastSeen < deadline) {
        state.online = false;
        this.publish(state);
      }
    }
  }

  /** Forgets a server; frontends get its last state once more with `removed: true`. */
  remove(id: string): boolean {
    const state = this.servers.get(id);
    if (!state) return false;
    this.servers.delete(id);
    state.online = false;
    this.publish(state, true);
    return true;
  }

  /** The public form of a server, as REST and the frontends see it. */
  static view(state: ServerState, removed = false): FrontendServerInfo {
    return {
      ...state.info,
      online: state.online,
      lastSeen: state.lastSeen / 1000,
      ...(removed ? { removed: true } : {}),
    };
  }

  private publish(state: ServerState, removed = false): void {
    state.message = Buffer.from(JSON.stringify(Hub.view(state, removed)));
    for (const listener of this.listeners) listener(state.id, state.message);
  }
}
