// Real reporters for a fleet: one /ws-report WebSocket per server, as agents would connect.

import type { ServerInfo } from '@sss/protocol';
import type { WebSocket } from 'ws';
import { connectReporter, opened, sendReport } from '../support/clients';
import type { Dashboard } from '../support/processes';
import { type FleetServer, report } from './fleet';

export class Feed {
  readonly sockets = new Map<string, WebSocket>();
  /** Servers left out of keepReporting from now on, as if their agent hung. */
  readonly silenced = new Set<string>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly dashboard: Dashboard,
    readonly servers: FleetServer[],
  ) {}

  async connect(): Promise<void> {
    await Promise.all(this.servers.map((s) => this.connectOne(s.id)));
  }

  async connectOne(id: string): Promise<WebSocket> {
    const ws = connectReporter(this.dashboard.wsUrl, id, this.dashboard.secret);
    await opened(ws);
    this.sockets.set(id, ws);
    return ws;
  }

  /** Sends every server's report for Unix time `now`, changed by `edit` if given. */
  sendAll(now = Date.now() / 1000, edit?: (info: ServerInfo) => ServerInfo): void {
    for (const server of this.servers) this.send(server.id, now, edit);
  }

  send(id: string, now = Date.now() / 1000, edit?: (info: ServerInfo) => ServerInfo): ServerInfo {
    const server = this.servers.find((s) => s.id === id);
    const ws = this.sockets.get(id);
    if (!server || !ws) throw new Error(`no connected reporter for ${id}`);
    const info = edit ? edit(report(server, now)) : report(server, now);
    sendReport(ws, info);
    return info;
  }

  /** Reports every server now and then every `periodMs`, as running agents do, until close(). */
  keepReporting(periodMs: number, edit?: (info: ServerInfo) => ServerInfo): void {
    const tick = () => {
      for (const server of this.servers) {
        if (!this.silenced.has(server.id) && this.sockets.has(server.id))
          this.send(server.id, Date.now() / 1000, edit);
      }
    };
    tick();
    clearInterval(this.timer);
    this.timer = setInterval(tick, periodMs);
  }

  close(): void {
    clearInterval(this.timer);
    for (const ws of this.sockets.values()) ws.close();
    this.sockets.clear();
  }
}
