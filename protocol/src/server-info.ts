// The report an agent sends on /ws-report, exactly as the seed defines it. Units: bytes, bytes per second,
// percent 0-100, seconds. Optional strings may also arrive as "" from agents written elsewhere.

export interface CpuInfo {
  /** Busy share of all logical CPUs over the last interval, 0-100. */
  percent: number;
  /** Logical CPUs of the host. */
  cores: number;
  modelName: string;
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
}

export interface DiskInfo {
  /** Mount point on the host. */
  path: string;
  /** Bytes: used + free (what an unprivileged user can see, as df shows). */
  total: number;
  used: number;
  free: number;
  /** used / (used + free) * 100. */
  usedPercent: number;
  /** Bytes per second read from the mount's device. */
  readSpeed: number;
  /** Bytes per second written to the mount's device. */
  writeSpeed: number;
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
}
