import type { DiskInfo, KubernetesNodeInfo } from '@sss/protocol';
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
} & (
  | { value: (s: ServerState) => number }
  | { perDisk: (d: DiskInfo) => number }
  | { perInterface: (s: ServerState) => number }
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
    name: 'sss_server_uptime_seconds',
    help: 'Seconds since the server booted.',
    type: 'gauge',
    value: (s) => s.info.system.uptime,
  },
  {
    name: 'sss_server_filesystem_size_bytes',
    help: 'Filesystem size: used plus free.',
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
    name: 'sss_server_network_receive_bytes_total',
    help: 'Bytes received by the interface (agent counter).',
    type: 'counter',
    perInterface: (s) => s.info.network.bytesRecv,
  },
  {
    name: 'sss_server_network_transmit_bytes_total',
    help: 'Bytes sent by the interface (agent counter).',
    type: 'counter',
    perInterface: (s) => s.info.network.bytesSent,
  },
  {
    name: 'sss_server_network_receive_bytes_per_second',
    help: 'Receive rate of the interface.',
    type: 'gauge',
    perInterface: (s) => s.info.network.inSpeed,
  },
  {
    name: 'sss_server_network_transmit_bytes_per_second',
    help: 'Transmit rate of the interface.',
    type: 'gauge',
    perInterface: (s) => s.info.network.outSpeed,
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

/** Servers handled between two yields to the event loop. */
const SERVERS_PER_SLICE = 250;

function escapeLabel(value: string): string {
  return /[\\"\n]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
    : value;
}

function label(name: string, value: string): string {
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
  if ('value' in family) return `${family.name}{${labels}} ${formatValue(family.value(s))}\n`;
  if ('info' in family) return `${family.name}{${labels},${infoLabels(s)}} 1\n`;
  if ('perInterface' in family) {
    const iface = label('interface', s.info.network.interfaceName);
    return `${family.name}{${labels},${iface}} ${formatValue(family.perInterface(s))}\n`;
  }
  let out = '';
  for (const d of s.info.disk)
    out += `${family.name}{${labels},${label('path', d.path)}} ${formatValue(family.perDisk(d))}\n`;
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
