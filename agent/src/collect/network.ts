export interface InterfaceCounters {
  name: string;
  bytesRecv: number;
  bytesSent: number;
}

/** Parses /proc/net/dev: `name: rxBytes rxPackets ... (8 receive fields) txBytes ...`. */
export function parseNetDev(text: string): InterfaceCounters[] {
  const interfaces: InterfaceCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    const bytesRecv = fields[0];
    const bytesSent = fields[8];
    if (!name || bytesRecv === undefined || bytesSent === undefined || Number.isNaN(bytesRecv + bytesSent))
      continue;
    interfaces.push({ name, bytesRecv, bytesSent });
  }
  return interfaces;
}

const RTF_UP = 0x1;

/** The interface of the IPv4 default route with the lowest metric, from /proc/net/route (hex fields). */
export function defaultRouteInterface(routeText: string): string | undefined {
  let best: { name: string; metric: number } | undefined;
  for (const line of routeText.split('\n').slice(1)) {
    const [name, destination, , flags, , , metric, mask] = line.trim().split(/\s+/);
    if (!name || destination !== '00000000' || mask !== '00000000') continue;
    if ((Number.parseInt(flags ?? '0', 16) & RTF_UP) === 0) continue;
    const m = Number(metric);
    if (!best || m < best.metric) best = { name, metric: m };
  }
  return best?.name;
}

/** The interface of the IPv6 default route (::/0) with the lowest metric, from /proc/net/ipv6_route. */
export function defaultRouteInterface6(routeText: string): string | undefined {
  let best: { name: string; metric: number } | undefined;
  for (const line of routeText.split('\n')) {
    const [destination, prefix, , , , metric, , , flags, name] = line.trim().split(/\s+/);
    if (!name || name === 'lo' || !/^0{32}$/.test(destination ?? '') || prefix !== '00') continue;
    if ((Number.parseInt(flags ?? '0', 16) & RTF_UP) === 0) continue;
    const m = Number.parseInt(metric ?? '0', 16);
    if (!best || m < best.metric) best = { name, metric: m };
  }
  return best?.name;
}

/** Without a default route: the busiest interface other than loopback. */
export function busiestInterface(interfaces: readonly InterfaceCounters[]): InterfaceCounters | undefined {
  return interfaces
    .filter((i) => i.name !== 'lo')
    .reduce<InterfaceCounters | undefined>(
      (best, i) => (!best || i.bytesRecv + i.bytesSent > best.bytesRecv + best.bytesSent ? i : best),
      undefined,
    );
}
