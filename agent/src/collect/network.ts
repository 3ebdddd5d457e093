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

/**
 * Interfaces of container networking and tunnels, left out of `network.interfaces` by default: loopback, veth
 * pairs, CNI bridges and per-pod devices (Calico, Flannel, Cilium, Weave, Antrea, OVN, AWS/GKE/Azure CNIs), Docker,
 * libvirt and tunnel devices. Their traffic is the pods' and VMs' traffic, already counted on the host's own
 * interfaces.
 */
export const DEFAULT_INTERFACE_EXCLUDE =
  /^(lo|veth.*|cni.*|cali.*|tunl\d+|vxlan.*|flannel.*|cilium_.*|lxc.*|weave|datapath|vethwe.*|antrea-.*|ovn-k8s-.*|genev_sys_.*|ovs-system|br-int|kube-.*|nodelocaldns|docker\d+|br-[0-9a-f]{12}|virbr.*|vnet\d+|tap.*|tun\d+|eni[0-9a-f]{11}|gke[0-9a-f]{11}|azv.*|dummy\d*|podman\d+|nerdctl\d+|sit\d+|ip6tnl\d+|ip6gre\d+|gre\d+|gretap\d+|erspan\d+|ip_vti\d+|ip6_vti\d+)$/;

export interface InterfaceFilter {
  /** When set, exactly the interfaces it matches (the default exclusions and the traffic rule no longer apply). */
  include?: RegExp;
  /** Left out besides the default exclusions. */
  exclude?: RegExp;
}

/**
 * The interfaces `network.interfaces` lists: with `include`, those it matches; else every one that has carried
 * traffic (bytes in or out) and is neither a default exclusion nor matched by `exclude`.
 */
export function selectInterfaces(
  interfaces: readonly InterfaceCounters[],
  filter: InterfaceFilter,
): InterfaceCounters[] {
  if (filter.include) {
    const include = filter.include;
    return interfaces.filter((i) => include.test(i.name) && !filter.exclude?.test(i.name));
  }
  return interfaces.filter(
    (i) =>
      i.bytesRecv + i.bytesSent > 0 &&
      !DEFAULT_INTERFACE_EXCLUDE.test(i.name) &&
      !filter.exclude?.test(i.name),
  );
}
