import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { REJECT_REASONS, type RejectReason } from './agents';
import type { Hub, ServerState } from './hub';

export interface MetricSources {
  hub: Hub;
  agentConnections: () => number;
  frontendConnections: () => number;
  frontendBacklog: () => { messages: number; bytes: number };
}

const SERVER_LABELS = ['server_id', 'server_name', 'group'] as const;
const NETWORK_LABELS = [...SERVER_LABELS, 'interface'] as const;

function serverLabels(s: ServerState) {
  return { server_id: s.id, server_name: s.info.serverName, group: s.info.group ?? '' };
}

/**
 * The dashboard's own registry. Per-server values are read from the hub when Prometheus scrapes, never on the
 * report path. An offline server keeps only up, last-report and info series: its other values would be stale.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly reports: Counter;
  readonly rejected: Counter<'reason'>;
  readonly authFailures: Counter;
  readonly rateLimited: Counter;
  readonly broadcastDuration: Histogram;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    const { hub } = sources;
    const online = () => [...hub.list()].filter((s) => s.online);

    /** A per-server gauge whose value is read from each online server's last report at scrape time. */
    const perServer = (name: string, help: string, value: (s: ServerState) => number) =>
      new Gauge({
        name,
        help,
        labelNames: SERVER_LABELS,
        registers,
        collect() {
          this.reset();
          for (const s of online()) this.set(serverLabels(s), value(s));
        },
      });

    new Gauge({
      name: 'sss_server_up',
      help: 'Whether the server reported within 3 intervals over an open connection (1) or not (0).',
      labelNames: SERVER_LABELS,
      registers,
      collect() {
        this.reset();
        for (const s of hub.list()) this.set(serverLabels(s), s.online ? 1 : 0);
      },
    });
    new Gauge({
      name: 'sss_server_last_report_timestamp_seconds',
      help: 'Unix time the dashboard received the last report.',
      labelNames: SERVER_LABELS,
      registers,
      collect() {
        this.reset();
        for (const s of hub.list()) this.set(serverLabels(s), s.lastSeen / 1000);
      },
    });
    new Gauge({
      name: 'sss_server_info',
      help: 'Static facts of the server as labels; the value is always 1.',
      labelNames: [...SERVER_LABELS, 'os', 'platform', 'arch', 'kernel', 'cpu_model'],
      registers,
      collect() {
        this.reset();
        for (const s of hub.list()) {
          const { os, platform, arch, kernel } = s.info.system;
          this.set({ ...serverLabels(s), os, platform, arch, kernel, cpu_model: s.info.cpu.modelName }, 1);
        }
      },
    });
    perServer(
      'sss_server_cpu_usage_ratio',
      'Busy share of all CPUs over the last interval, 0-1.',
      (s) => s.info.cpu.percent / 100,
    );
    perServer('sss_server_cpu_cores', 'Logical CPUs.', (s) => s.info.cpu.cores);
    perServer('sss_server_memory_total_bytes', 'Physical memory.', (s) => s.info.memory.total);
    perServer(
      'sss_server_memory_used_bytes',
      'Memory in use: total minus available.',
      (s) => s.info.memory.used,
    );
    perServer(
      'sss_server_memory_available_bytes',
      'Memory available without swapping (MemAvailable).',
      (s) => s.info.memory.available,
    );
    perServer('sss_server_uptime_seconds', 'Seconds since the server booted.', (s) => s.info.system.uptime);

    const perDisk = (name: string, help: string, value: (d: ServerState['info']['disk'][number]) => number) =>
      new Gauge({
        name,
        help,
        labelNames: [...SERVER_LABELS, 'path'],
        registers,
        collect() {
          this.reset();
          for (const s of online())
            for (const d of s.info.disk) this.set({ ...serverLabels(s), path: d.path }, value(d));
        },
      });
    perDisk('sss_server_filesystem_size_bytes', 'Filesystem size: used plus free.', (d) => d.total);
    perDisk('sss_server_filesystem_used_bytes', 'Filesystem bytes in use.', (d) => d.used);
    perDisk(
      'sss_server_filesystem_free_bytes',
      'Filesystem bytes available to unprivileged users.',
      (d) => d.free,
    );
    perDisk(
      'sss_server_disk_read_bytes_per_second',
      "Read rate of the filesystem's device.",
      (d) => d.readSpeed,
    );
    perDisk(
      'sss_server_disk_write_bytes_per_second',
      "Write rate of the filesystem's device.",
      (d) => d.writeSpeed,
    );

    const netLabels = (s: ServerState) => ({ ...serverLabels(s), interface: s.info.network.interfaceName });
    for (const [name, help, value] of [
      [
        'sss_server_network_receive_bytes_total',
        'Bytes received by the interface (agent counter).',
        'bytesRecv',
      ],
      [
        'sss_server_network_transmit_bytes_total',
        'Bytes sent by the interface (agent counter).',
        'bytesSent',
      ],
    ] as const) {
      new Counter({
        name,
        help,
        labelNames: NETWORK_LABELS,
        registers,
        collect() {
          this.reset();
          for (const s of online()) this.inc(netLabels(s), s.info.network[value]);
        },
      });
    }
    for (const [name, help, value] of [
      ['sss_server_network_receive_bytes_per_second', 'Receive rate of the interface.', 'inSpeed'],
      ['sss_server_network_transmit_bytes_per_second', 'Transmit rate of the interface.', 'outSpeed'],
    ] as const) {
      new Gauge({
        name,
        help,
        labelNames: NETWORK_LABELS,
        registers,
        collect() {
          this.reset();
          for (const s of online()) this.set(netLabels(s), s.info.network[value]);
        },
      });
    }

    new Gauge({
      name: 'sss_agent_connections',
      help: 'Open agent WebSocket connections.',
      registers,
      collect() {
        this.set(sources.agentConnections());
      },
    });
    new Gauge({
      name: 'sss_frontend_connections',
      help: 'Open browser WebSocket connections.',
      registers,
      collect() {
        this.set(sources.frontendConnections());
      },
    });
    new Gauge({
      name: 'sss_frontend_backlog_messages',
      help: 'Messages waiting for slow browsers (at most one per server per browser).',
      registers,
      collect() {
        this.set(sources.frontendBacklog().messages);
      },
    });
    new Gauge({
      name: 'sss_frontend_backlog_bytes',
      help: 'Bytes queued for slow browsers, in sockets and pending slots.',
      registers,
      collect() {
        this.set(sources.frontendBacklog().bytes);
      },
    });
    this.reports = new Counter({ name: 'sss_reports_total', help: 'Reports accepted.', registers });
    this.rejected = new Counter({
      name: 'sss_reports_rejected_total',
      help: 'Reports and frames refused, by reason; each closed the connection with its documented code.',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of REJECT_REASONS) this.rejected.inc({ reason }, 0);
    this.authFailures = new Counter({
      name: 'sss_auth_failures_total',
      help: 'Agent connections closed with 1008 because the id or secret was wrong.',
      registers,
    });
    this.rateLimited = new Counter({
      name: 'sss_auth_rate_limited_total',
      help: 'Agent upgrades refused with HTTP 429 after repeated authentication failures.',
      registers,
    });
    this.broadcastDuration = new Histogram({
      name: 'sss_broadcast_duration_seconds',
      help: 'Time to hand one change to every browser connection.',
      buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
  }

  reject(reason: RejectReason): void {
    this.rejected.inc({ reason });
  }
}
