import type { DiskInfo, InterfaceInfo, KubernetesNodeInfo } from '@sss/protocol';
import type { ServerState } from '../hub/hub';

// The per-server metric families, written straight into the text exposition format. A generic client library
// hashes every label set on every scrape; at 10,000 servers that blocked the event loop for over a second, during
// which no report reached a browser. Here each server's label string is built once per scrape and the work
// yields to the event loop every few hundred servers, so live delivery goes on while Prometheus reads.

type Family = {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  /** Offline servers keep only the families marked so: their other values would be stale. */
  whenOffline?: true;
} /** One sample per server; none when the report lacks the (optional) field. */ & (
  | { value: (s: ServerState) => number | undefined }
  | { perDisk: (d: DiskInfo) => number | undefined }
  | { perInterface: (i: InterfaceInfo) => number }
  /** Any number of samples, each with its own extra label (`name="value"`, escaped by `label`). */
  | { labelled: (s: ServerState) => [labels: string, value: number][] }
  | { info: true }
  /** Only for servers that are Nodes, labelled `node` as kube-state-metrics does, online or not. */
  | { perNode: (s: ServerState, node: KubernetesNodeInfo) => number }
);

export const SERVER_FAMILIES: readonly Family[] = [
  {
    name: 'sss_server_up',
    help: 'Whether the server reported within 3 intervals over an open connection (1) or not (0).',
    type: 'gauge',
    whenOffline: true,
    value: (s) => (s.online ? 1 : 0),
  },
  {
    name: 'sss_server_last_report_timestamp_seconds',
    help: 'Unix time the dashboard received the last report.',
    type: 'gauge',
    whenOffline: true,
    value: (s) => s.lastSeen / 1000,
  },
  {
    name: 'sss_server_info',
    help: 'Static facts of the server as labels; the value is always 1.',
    type: 'gauge',
    whenOffline: true,
    info: true,
  },
  {
    name: 'sss_server_cpu_usage_ratio',
    help: 'Busy share of all CPUs over the last interval, 0-1.',
    type: 'gauge',
    value: (s) => s.info.cpu.percent / 100,
  },
  { name: 'sss_server_cpu_cores', help: 'Logical CPUs.', type: 'gauge', value: (s) => s.info.cpu.cores },
  {
    name: 'sss_server_memory_total_bytes',
    help: 'Physical memory.',
    type: 'gauge',
    value: (s) => s.info.memory.total,
  },
  {
    name: 'sss_server_memory_used_bytes',
    help: 'Memory in use: total minus available.',
    type: 'gauge',
    value: (s) => s.info.memory.used,
  },
  {
    name: 'sss_server_memory_available_bytes',
    help: 'Memory available without swapping (MemAvailable).',
    type: 'gauge',
    value: (s) => s.info.memory.available,
  },
  {
    name: 'sss_server_memory_swap_total_bytes',
    help: 'Swap space (SwapTotal); 0 without swap.',
    type: 'gauge',
    value: (s) => s.info.memory.swapTotal,
  },
  {
    name: 'sss_server_memory_swap_used_bytes',
    help: 'Swap in use: SwapTotal minus SwapFree.',
    type: 'gauge',
    value: (s) => s.info.memory.swapUsed,
  },
  {
    name: 'sss_server_memory_cached_bytes',
    help: 'Page cache (Cached).',
    type: 'gauge',
    value: (s) => s.info.memory.cached,
  },
  {
    name: 'sss_server_load1',
    help: '1-minute load average.',
    type: 'gauge',
    value: (s) => s.info.cpu.load1,
  },
  {
    name: 'sss_server_load5',
    help: '5-minute load average.',
    type: 'gauge',
    value: (s) => s.info.cpu.load5,
  },
  {
    name: 'sss_server_load15',
    help: '15-minute load average.',
    type: 'gauge',
    value: (s) => s.info.cpu.load15,
  },
  {
    name: 'sss_server_processes',
    help: 'Processes on the server.',
    type: 'gauge',
    value: (s) => s.info.system.processes,
  },
  {
    name: 'sss_server_boot_time_seconds',
    help: 'Unix time the server booted.',
    type: 'gauge',
    value: (s) => s.info.system.bootTime,
  },
  {
    name: 'sss_server_sockets_inuse',
    help: 'Sockets in use, IPv4 and IPv6, by protocol (tcp, udp).',
    type: 'gauge',
    labelled: (s) => {
      const c = s.info.connections;
      return c
        ? [
            [label('protocol', 'tcp'), c.tcp],
            [label('protocol', 'udp'), c.udp],
          ]
        : [];
    },
  },
  {
    name: 'sss_server_tcp_connections_established',
    help: 'TCP connections in ESTABLISHED or CLOSE-WAIT (CurrEstab).',
    type: 'gauge',
    value: (s) => s.info.connections?.tcpEstablished,
  },
  {
    name: 'sss_server_temperature_celsius',
    help: 'Temperature of a hwmon sensor or thermal zone.',
    type: 'gauge',
    labelled: (s) => temperatures(s, (t) => t.celsius),
  },
  {
    name: 'sss_server_temperature_critical_celsius',
    help: "The sensor's critical temperature, where the hardware has one.",
    type: 'gauge',
    labelled: (s) => temperatures(s, (t) => t.criticalCelsius),
  },
  {
    name: 'sss_server_uptime_seconds',
    help: 'Seconds since the server booted.',
    type: 'gauge',
    value: (s) => s.info.system.uptime,
  },
  {
    name: 'sss_server_filesystem_size_bytes',
    help: 'Filesystem size: blocks times block size, as df and node_filesystem_size_bytes show it.',
    type: 'gauge',
    perDisk: (d) => d.total,
  },
  {
    name: 'sss_server_filesystem_used_bytes',
    help: 'Filesystem bytes in use.',
    type: 'gauge',
    perDisk: (d) => d.used,
  },
  {
    name: 'sss_server_filesystem_free_bytes',
    help: 'Filesystem bytes available to unprivileged users.',
    type: 'gauge',
    perDisk: (d) => d.free,
  },
  {
    name: 'sss_server_disk_read_bytes_per_second',
    help: "Read rate of the filesystem's device.",
    type: 'gauge',
    perDisk: (d) => d.readSpeed,
  },
  {
    name: 'sss_server_disk_write_bytes_per_second',
    help: "Write rate of the filesystem's device.",
    type: 'gauge',
    perDisk: (d) => d.writeSpeed,
  },
  {
    name: 'sss_server_disk_io_utilization_ratio',
    help: "Share of the last interval the filesystem's device was busy, 0-1.",
    type: 'gauge',
    perDisk: (d) => (d.ioUtilPercent === undefined ? undefined : d.ioUtilPercent / 100),
  },
  {
    name: 'sss_server_network_receive_bytes_total',
    help: 'Bytes received by the interface (agent counter).',
    type: 'counter',
    perInterface: (i) => i.bytesRecv,
  },
  {
    name: 'sss_server_network_transmit_bytes_total',
    help: 'Bytes sent by the interface (agent counter).',
    type: 'counter',
    perInterface: (i) => i.bytesSent,
  },
  {
    name: 'sss_server_network_receive_bytes_per_second',
    help: 'Receive rate of the interface.',
    type: 'gauge',
    perInterface: (i) => i.inSpeed,
  },
  {
    name: 'sss_server_network_transmit_bytes_per_second',
    help: 'Transmit rate of the interface.',
    type: 'gauge',
    perInterface: (i) => i.outSpeed,
  },
  {
    name: 'sss_kubernetes_node_ready',
    help: 'Whether the Node is Ready (1) or not Ready or unknown (0).',
    type: 'gauge',
    whenOffline: true,
    perNode: (_s, node) => (node.ready === 'true' ? 1 : 0),
  },
  {
    name: 'sss_kubernetes_node_agent_reporting',
    help: 'Whether an agent reports for the Node (1) or the Node has no reporting agent (0).',
    type: 'gauge',
    whenOffline: true,
    perNode: (s) => (s.online ? 1 : 0),
  },
  {
    name: 'sss_kubernetes_node_unschedulable',
    help: 'Whether the Node is cordoned (1) or schedulable (0).',
    type: 'gauge',
    whenOffline: true,
    perNode: (_s, node) => (node.unschedulable ? 1 : 0),
  },
];

/** `sensor`-labelled samples of the server's temperatures (the validator keeps each sensor name once). */
function temperatures(
  s: ServerState,
  value: (t: NonNullable<ServerState['info']['temperatures']>[number]) => number | undefined,
): [string, number][] {
  const out: [string, number][] = [];
  for (const t of s.info.temperatures ?? []) {
    const v = value(t);
    if (v !== undefined) out.push([label('sensor', t.sensor), v]);
  }
  return out;
}

/**
 * The interfaces of a report: every one of `network.interfaces` (each name once, as the validator keeps them) and
 * the default-route one unless the list has it. A report without `interfaces` (an older agent) gives the
 * default-route interface alone, as before.
 */
function interfacesOf(s: ServerState): InterfaceInfo[] {
  const { network } = s.info;
  const main: InterfaceInfo = {
    name: network.interfaceName,
    bytesSent: network.bytesSent,
    bytesRecv: network.bytesRecv,
    inSpeed: network.inSpeed,
    outSpeed: network.outSpeed,
  };
  const list = network.interfaces;
  if (!list || list.length === 0) return [main];
  return list.some((i) => i.name === main.name) ? list : [main, ...list];
}

/** Servers handled between two yields to the event loop. */
const SERVERS_PER_SLICE = 250;

function escapeLabel(value: string): string {
  return /[\\"\n]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
    : value;
}

/** `name="value"`, the value escaped for the exposition format. */
export function label(name: string, value: string): string {
  return `${name}="${escapeLabel(value)}"`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

function serverLabels(s: ServerState): string {
  return `${label('server_id', s.id)},${label('server_name', s.info.serverName)},${label('group', s.info.group ?? '')}`;
}

function infoLabels(s: ServerState): string {
  const { os, platform, arch, kernel } = s.info.system;
  return [
    label('os', os),
    label('platform', platform),
    label('arch', arch),
    label('kernel', kernel),
    label('cpu_model', s.info.cpu.modelName),
  ].join(',');
}

function samples(family: Family, s: ServerState, labels: string): string {
  if ('perNode' in family) {
    return s.node ? `${family.name}{${label('node', s.id)}} ${formatValue(family.perNode(s, s.node))}\n` : '';
  }
  if ('value' in family) {
    const v = family.value(s);
    return v === undefined ? '' : `${family.name}{${labels}} ${formatValue(v)}\n`;
  }
  if ('info' in family) return `${family.name}{${labels},${infoLabels(s)}} 1\n`;
  let out = '';
  if ('perInterface' in family) {
    for (const i of interfacesOf(s)) {
      out += `${family.name}{${labels},${label('interface', i.name)}} ${formatValue(family.perInterface(i))}\n`;
    }
    return out;
  }
  if ('labelled' in family) {
    for (const [extra, v] of family.labelled(s))
      out += `${family.name}{${labels},${extra}} ${formatValue(v)}\n`;
    return out;
  }
  for (const d of s.info.disk) {
    const v = family.perDisk(d);
    if (v !== undefined) out += `${family.name}{${labels},${label('path', d.path)}} ${formatValue(v)}\n`;
  }
  return out;
}

/**
 * The text of every per-server family, in slices; awaiting between slices lets reports and broadcasts run.
 * `servers` is taken at the start of the scrape, so a scrape sees one consistent set of servers.
 */
export async function* serverExposition(servers: readonly ServerState[]): AsyncGenerator<string> {
  const labels = servers.map(serverLabels);
  for (const family of SERVER_FAMILIES) {
    let chunk = `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}\n`;
    for (let i = 0; i < servers.length; i++) {
      const s = servers[i] as ServerState;
      if (s.online || family.whenOffline) chunk += samples(family, s, labels[i] ?? '');
      if ((i + 1) % SERVERS_PER_SLICE === 0) {
        yield chunk;
        chunk = '';
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    yield chunk;
  }
}
