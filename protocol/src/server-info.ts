import type { ServerAlert } from './alerts';
import type { NODE_PROBLEM_CONDITIONS } from './constants';

// The report an agent sends on /ws-report, exactly as the seed defines it. Units: bytes, bytes per second,
// percent 0-100, seconds. Optional strings may also arrive as "" from agents written elsewhere.

export interface CpuInfo {
  /** Busy share of all logical CPUs over the last interval, 0-100. */
  percent: number;
  /** Logical CPUs of the host. */
  cores: number;
  modelName: string;
  // Extension fields (DESIGN section 3): optional, so a report without them and a client ignoring them still work.
  /** Load averages over 1, 5 and 15 minutes ($HOST_PROC/loadavg), runnable + uninterruptible tasks. */
  load1?: number;
  load5?: number;
  load15?: number;
  /** Busy share of each logical CPU over the last interval, 0-100, in cpuN order. */
  perCore?: number[];
  /** Share of all CPUs' time spent in each mode over the last interval, 0-100 (idle is the rest). */
  modes?: CpuModes;
}

export interface CpuModes {
  /** Includes guest time, as /proc/stat counts it. */
  user: number;
  nice: number;
  system: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export interface MemoryInfo {
  /** Bytes. */
  total: number;
  /** Bytes: total - available. */
  used: number;
  /** Bytes the kernel estimates are available without swapping (MemAvailable). */
  available: number;
  /** used / total * 100. */
  usedPercent: number;
  /** Bytes of swap (SwapTotal); 0 on a host without swap. */
  swapTotal?: number;
  /** Bytes of swap in use: SwapTotal - SwapFree. */
  swapUsed?: number;
  /** Bytes of page cache (Cached). */
  cached?: number;
}

export interface DiskInfo {
  /** Mount point on the host. */
  path: string;
  /**
   * Bytes: the filesystem's size, blocks x bsize, as df's `Size` and node_exporter's node_filesystem_size_bytes
   * show it. It exceeds used + free by the blocks reserved for root (often 5 % on ext4).
   */
  total: number;
  /** Bytes: (blocks - bfree) x bsize, df's `Used`. */
  used: number;
  /** Bytes an unprivileged user may still write: bavail x bsize, df's `Avail`. */
  free: number;
  /** used / (used + free) * 100: df's `Use%` (which rounds it up to a whole number). */
  usedPercent: number;
  /** Bytes per second read from the mount's device. */
  readSpeed: number;
  /** Bytes per second written to the mount's device. */
  writeSpeed: number;
  /** Share of the last interval the mount's device was busy, 0-100 (diskstats io_ticks, iostat's %util). */
  ioUtilPercent?: number;
}

/** One host interface's traffic; the same units as NetworkInfo's top-level fields. */
export interface InterfaceInfo {
  name: string;
  bytesSent: number;
  bytesRecv: number;
  inSpeed: number;
  outSpeed: number;
}

export interface NetworkInfo {
  interfaceName: string;
  /** Bytes transmitted since the interface came up (a counter). */
  bytesSent: number;
  /** Bytes received since the interface came up (a counter). */
  bytesRecv: number;
  /** Bytes per second received. */
  inSpeed: number;
  /** Bytes per second transmitted. */
  outSpeed: number;
  /**
   * Every host interface that carries traffic, by name; virtual ones of container networking (veth, CNI bridges,
   * tunnels) and lo are left out unless the agent is configured otherwise. The top-level fields stay the
   * default-route interface.
   */
  interfaces?: InterfaceInfo[];
}

export interface SystemInfo {
  hostname: string;
  /** Always "linux" for our agent (Go's GOOS). */
  os: string;
  /** os-release ID, e.g. "ubuntu". */
  platform: string;
  /** Go's GOARCH, e.g. "amd64", "arm64". */
  arch: string;
  /** Kernel release, as `uname -r` prints it. */
  kernel: string;
  /** Seconds since boot. */
  uptime: number;
  /** Processes on the host (the numeric entries of $HOST_PROC). */
  processes?: number;
  /** Unix seconds of the boot ($HOST_PROC/stat btime). */
  bootTime?: number;
}

/** Socket counts of the host's network namespace. */
export interface ConnectionsInfo {
  /** TCP sockets in use, IPv4 + IPv6 (sockstat and sockstat6 `inuse`; listening ones included). */
  tcp: number;
  /** TCP connections in ESTABLISHED or CLOSE-WAIT ($HOST_PROC/net/snmp Tcp CurrEstab). */
  tcpEstablished: number;
  /** UDP sockets in use, IPv4 + IPv6. */
  udp: number;
}

export interface TemperatureInfo {
  /** hwmon chip and label (`coretemp Package id 0`), or a thermal zone's type and number (`acpitz thermal_zone0`). */
  sensor: string;
  celsius: number;
  /** The sensor's critical level, when the hardware has one. */
  criticalCelsius?: number;
}

export interface ServerInfo {
  serverId: string;
  serverName: string;
  group?: string;
  /** ISO 3166-1 alpha-2. */
  countryCode?: string;
  location?: string;
  ip?: string;
  cpu: CpuInfo;
  memory: MemoryInfo;
  disk: DiskInfo[];
  network: NetworkInfo;
  system: SystemInfo;
  /** Unix seconds when the agent took the sample. */
  timestamp: number;
  connections?: ConnectionsInfo;
  temperatures?: TemperatureInfo[];
}

/** A Node condition's status, as Kubernetes writes it but lower case (kube-state-metrics' `status` label). */
export type ConditionStatus = 'true' | 'false' | 'unknown';

export type NodeProblemCondition = (typeof NODE_PROBLEM_CONDITIONS)[number];

export interface NodeTaint {
  key: string;
  value?: string;
  /** NoSchedule, PreferNoSchedule or NoExecute. */
  effect: string;
}

/**
 * What the dashboard knows of the Kubernetes Node a server runs on (the server id is the node name). Sent by the
 * dashboard only, never by an agent.
 */
export interface KubernetesNodeInfo {
  nodeName: string;
  /** The Ready condition; `unknown` also when the Node has none (a kubelet that never posted status). */
  ready: ConditionStatus;
  /** Unix seconds of the Ready condition's last transition, when known. */
  readySince?: number;
  /** Why the node is not Ready, from the Ready condition's reason and message, when it is not. */
  readyReason?: string;
  /** The problem conditions that are true now (e.g. DiskPressure), in NODE_PROBLEM_CONDITIONS order. */
  problems: NodeProblemCondition[];
  /** `spec.unschedulable`: the node is cordoned. */
  unschedulable: boolean;
  /** From the `node-role.kubernetes.io/<role>` labels (and `kubernetes.io/role`), sorted. */
  roles: string[];
  /** `topology.kubernetes.io/zone`. */
  zone?: string;
  /** `topology.kubernetes.io/region`. */
  region?: string;
  /** `node.kubernetes.io/instance-type`. */
  instanceType?: string;
  kubeletVersion: string;
  /** e.g. `containerd://2.1.4`. */
  containerRuntime: string;
  osImage: string;
  kernelVersion: string;
  /** Go's GOARCH, as the kubelet reports it. */
  architecture: string;
  /** The first InternalIP address. */
  internalIP?: string;
  taints: NodeTaint[];
  /** Unix seconds of the Node object's creation. */
  createdAt: number;
  /** `status.capacity`: logical CPUs, memory in bytes, and pods. */
  capacity: { cpu: number; memory: number; pods: number };
}

/**
 * What /ws-frontend and the REST API send: the agent's ServerInfo (with the dashboard's per-server overrides
 * applied) plus fields an old client may ignore.
 */
export interface FrontendServerInfo extends ServerInfo {
  /** False once the agent's connection closed or it missed 3 report intervals. */
  online: boolean;
  /** Unix seconds (with milliseconds) when the dashboard received the last report. */
  lastSeen: number;
  /** Present and true exactly once, when the dashboard forgets the server; the client should drop it. */
  removed?: boolean;
  /**
   * Present and true when the server is a Kubernetes Node whose agent is not reporting: it never reported (the
   * figures are then zeros and the Node's capacity, `lastSeen` is 0) or it stopped. `online` is false then.
   */
  agentMissing?: boolean;
  /** The Node's facts when the server id is the name of a Node of the cluster the dashboard watches. */
  kubernetes?: KubernetesNodeInfo;
  /** The server's firing alerts (the dashboard's own rules, SSS_CONFIG `alerts:`); absent when none fire. */
  alerts?: ServerAlert[];
}
