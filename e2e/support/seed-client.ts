// The browser clients the seed documents (its Vue composable and React hook), reduced to what they do with a
// message: parse it, keep it by serverId, render name, CPU and memory with toFixed. A dashboard change that sends
// a message these throw on breaks every client written to the seed alone.
import type { ServerInfo } from '@sss/protocol';

export class SeedClient {
  /** `servers.value.set(data.serverId, data)` in the Vue composable, `new Map(prev).set(...)` in the React hook. */
  readonly servers = new Map<string, ServerInfo>();

  /** `ws.onmessage` of the seed: JSON.parse, then keep by serverId. */
  onmessage(event: { data: string }): void {
    const data: ServerInfo = JSON.parse(event.data);
    this.servers.set(data.serverId, data);
  }

  /** The Vue template of the seed, as text: every line it renders. */
  render(): string[] {
    const lines: string[] = [];
    for (const server of this.servers.values()) {
      lines.push(server.serverName);
      lines.push(`CPU: ${server.cpu.percent.toFixed(1)}%`);
      lines.push(`内存: ${server.memory.usedPercent.toFixed(1)}%`);
    }
    return lines;
  }
}
