import { isValidServerId, SERVER_ID_RULE } from './constants';
import type {
  ConnectionsInfo,
  CpuInfo,
  CpuModes,
  DiskInfo,
  InterfaceInfo,
  MemoryInfo,
  NetworkInfo,
  ServerInfo,
  SystemInfo,
  TemperatureInfo,
} from './server-info';

export type Validation<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

/** Most filesystems one report may carry; a node with more is misconfigured or hostile. */
export const MAX_DISKS = 256;
/** Most logical CPUs `cpu.perCore` may list (Linux' NR_CPUS is 8192 at most; 1024 covers every real host). */
export const MAX_CORES = 1024;
/** Most entries of `network.interfaces`. */
export const MAX_INTERFACES = 256;
/** Most entries of `temperatures`. */
export const MAX_TEMPERATURES = 256;
/** Bounds of a temperature: absolute zero to well above any sensor's range. */
export const MIN_CELSIUS = -273.15;
export const MAX_CELSIUS = 1000;
/** Load averages above this are a broken agent, not a host. */
export const MAX_LOAD = 1_000_000;
/** Process count bound: Linux' pid_max is at most 4,194,304. */
export const MAX_PROCESSES = 4_194_304;
/** Socket count bound. */
export const MAX_SOCKETS = 100_000_000;
/** bootTime bound: Unix seconds, the year 2286. */
export const MAX_UNIX_SECONDS = 9_999_999_999;

class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

type Obj = Record<string, unknown>;

function object(value: unknown, field: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FieldError(field, 'must be an object');
  }
  return value as Obj;
}

function str(o: Obj, key: string, path: string, max: number): string {
  const v = o[key];
  if (typeof v !== 'string') throw new FieldError(path + key, 'must be a string');
  if (v.length > max) throw new FieldError(path + key, `must be at most ${max} characters`);
  return v;
}

function optionalStr(o: Obj, key: string, max: number): string | undefined {
  if (o[key] === undefined || o[key] === null) return undefined;
  return str(o, key, '', max);
}

function num(o: Obj, key: string, path: string, max = Number.MAX_VALUE): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new FieldError(path + key, 'must be a finite number');
  if (v < 0 || v > max) {
    throw new FieldError(path + key, max === 100 ? 'must be between 0 and 100' : 'must not be negative');
  }
  return v;
}

function percent(o: Obj, key: string, path: string): number {
  return num(o, key, path, 100);
}

/** A finite number from `min` to `max` (a whole one when `whole`), named `field` when it is not. */
function bounded(v: unknown, field: string, min: number, max: number, whole = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FieldError(field, 'must be a finite number');
  if (v < min || v > max) throw new FieldError(field, `must be between ${min} and ${max}`);
  if (whole && !Number.isInteger(v)) throw new FieldError(field, 'must be a whole number');
  return v;
}

const absent = (v: unknown) => v === undefined || v === null;

/** The extension fields: absent (or null) is fine; anything else must be right. Adds `key` to `into` when present. */
function optional<T>(into: Record<string, unknown>, o: Obj, key: string, check: (v: unknown) => T): void {
  if (!absent(o[key])) into[key] = check(o[key]);
}

function optionalBounded(
  into: Record<string, unknown>,
  o: Obj,
  key: string,
  path: string,
  min: number,
  max: number,
  whole = false,
): void {
  optional(into, o, key, (v) => bounded(v, path + key, min, max, whole));
}

function array(value: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw new FieldError(field, 'must be an array');
  if (value.length > max) throw new FieldError(field, `must have at most ${max} entries`);
  return value;
}

/**
 * The list without entries whose key an earlier entry had: a filesystem path, interface or sensor name names one
 * labelled series, and a repeat (a bind mount listed twice) would make two series of one label set.
 */
function firstOfEach<T>(list: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return list.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function name(o: Obj, key: string, path: string, max: number): string {
  const v = str(o, key, path, max);
  if (v === '') throw new FieldError(path + key, 'must not be empty');
  return v;
}

const CPU_MODES = ['user', 'nice', 'system', 'iowait', 'irq', 'softirq', 'steal'] as const;

function cpuModes(value: unknown): CpuModes {
  const o = object(value, 'cpu.modes');
  const modes = {} as CpuModes;
  for (const mode of CPU_MODES) modes[mode] = percent(o, mode, 'cpu.modes.');
  return modes;
}

function cpu(value: unknown): CpuInfo {
  const o = object(value, 'cpu');
  const cores = num(o, 'cores', 'cpu.');
  if (!Number.isInteger(cores)) throw new FieldError('cpu.cores', 'must be a whole number');
  const info: CpuInfo = {
    percent: percent(o, 'percent', 'cpu.'),
    cores,
    modelName: str(o, 'modelName', 'cpu.', 256),
  };
  const extra = info as unknown as Record<string, unknown>;
  for (const key of ['load1', 'load5', 'load15']) optionalBounded(extra, o, key, 'cpu.', 0, MAX_LOAD);
  optional(extra, o, 'perCore', (v) =>
    array(v, 'cpu.perCore', MAX_CORES).map((p, i) => bounded(p, `cpu.perCore[${i}]`, 0, 100)),
  );
  optional(extra, o, 'modes', cpuModes);
  return info;
}

function memory(value: unknown): MemoryInfo {
  const o = object(value, 'memory');
  const info: MemoryInfo = {
    total: num(o, 'total', 'memory.'),
    used: num(o, 'used', 'memory.'),
    available: num(o, 'available', 'memory.'),
    usedPercent: percent(o, 'usedPercent', 'memory.'),
  };
  const extra = info as unknown as Record<string, unknown>;
  for (const key of ['swapTotal', 'swapUsed', 'cached']) {
    optionalBounded(extra, o, key, 'memory.', 0, Number.MAX_VALUE);
  }
  return info;
}

function disks(value: unknown): DiskInfo[] {
  if (!Array.isArray(value)) throw new FieldError('disk', 'must be an array');
  if (value.length > MAX_DISKS) throw new FieldError('disk', `must have at most ${MAX_DISKS} entries`);
  const list = value.map((item: unknown, i) => {
    const path = `disk[${i}].`;
    const o = object(item, `disk[${i}]`);
    const info: DiskInfo = {
      path: str(o, 'path', path, 4096),
      total: num(o, 'total', path),
      used: num(o, 'used', path),
      free: num(o, 'free', path),
      usedPercent: percent(o, 'usedPercent', path),
      readSpeed: num(o, 'readSpeed', path),
      writeSpeed: num(o, 'writeSpeed', path),
    };
    optionalBounded(info as unknown as Record<string, unknown>, o, 'ioUtilPercent', path, 0, 100);
    return info;
  });
  return firstOfEach(list, (d) => d.path);
}

function interfaces(value: unknown): InterfaceInfo[] {
  const list = array(value, 'network.interfaces', MAX_INTERFACES).map((item: unknown, i) => {
    const path = `network.interfaces[${i}].`;
    const o = object(item, `network.interfaces[${i}]`);
    return {
      name: name(o, 'name', path, 64),
      bytesSent: num(o, 'bytesSent', path),
      bytesRecv: num(o, 'bytesRecv', path),
      inSpeed: num(o, 'inSpeed', path),
      outSpeed: num(o, 'outSpeed', path),
    };
  });
  return firstOfEach(list, (i) => i.name);
}

function network(value: unknown): NetworkInfo {
  const o = object(value, 'network');
  const info: NetworkInfo = {
    interfaceName: str(o, 'interfaceName', 'network.', 64),
    bytesSent: num(o, 'bytesSent', 'network.'),
    bytesRecv: num(o, 'bytesRecv', 'network.'),
    inSpeed: num(o, 'inSpeed', 'network.'),
    outSpeed: num(o, 'outSpeed', 'network.'),
  };
  optional(info as unknown as Record<string, unknown>, o, 'interfaces', interfaces);
  return info;
}

function system(value: unknown): SystemInfo {
  const o = object(value, 'system');
  const info: SystemInfo = {
    hostname: str(o, 'hostname', 'system.', 253),
    os: str(o, 'os', 'system.', 64),
    platform: str(o, 'platform', 'system.', 64),
    arch: str(o, 'arch', 'system.', 64),
    kernel: str(o, 'kernel', 'system.', 256),
    uptime: num(o, 'uptime', 'system.'),
  };
  const extra = info as unknown as Record<string, unknown>;
  optionalBounded(extra, o, 'processes', 'system.', 0, MAX_PROCESSES, true);
  optionalBounded(extra, o, 'bootTime', 'system.', 0, MAX_UNIX_SECONDS);
  return info;
}

function connections(value: unknown): ConnectionsInfo {
  const o = object(value, 'connections');
  const count = (key: string) => bounded(o[key], `connections.${key}`, 0, MAX_SOCKETS, true);
  return { tcp: count('tcp'), tcpEstablished: count('tcpEstablished'), udp: count('udp') };
}

function temperatures(value: unknown): TemperatureInfo[] {
  const list = array(value, 'temperatures', MAX_TEMPERATURES).map((item: unknown, i) => {
    const path = `temperatures[${i}].`;
    const o = object(item, `temperatures[${i}]`);
    const info: TemperatureInfo = {
      sensor: name(o, 'sensor', path, 128),
      celsius: bounded(o.celsius, `${path}celsius`, MIN_CELSIUS, MAX_CELSIUS),
    };
    optionalBounded(
      info as unknown as Record<string, unknown>,
      o,
      'criticalCelsius',
      path,
      MIN_CELSIUS,
      MAX_CELSIUS,
    );
    return info;
  });
  return firstOfEach(list, (t) => t.sensor);
}

function serverInfo(value: unknown): ServerInfo {
  const o = object(value, '(message)');
  const serverId = str(o, 'serverId', '', 253);
  if (!isValidServerId(serverId)) throw new FieldError('serverId', `must be ${SERVER_ID_RULE}`);
  const serverName = str(o, 'serverName', '', 256);
  if (serverName === '') throw new FieldError('serverName', 'must not be empty');
  const countryCode = optionalStr(o, 'countryCode', 16);
  if (countryCode !== undefined && countryCode !== '' && !/^[A-Za-z]{2}$/.test(countryCode)) {
    throw new FieldError('countryCode', 'must be an ISO 3166-1 alpha-2 code such as "DE"');
  }
  const group = optionalStr(o, 'group', 128);
  const location = optionalStr(o, 'location', 256);
  const ip = optionalStr(o, 'ip', 253);
  // Checked in the seed's field order, so the first offending field is the one a reader meets first.
  const info: ServerInfo = {
    serverId,
    serverName,
    ...(group ? { group } : {}),
    ...(countryCode ? { countryCode: countryCode.toUpperCase() } : {}),
    ...(location ? { location } : {}),
    ...(ip ? { ip } : {}),
    cpu: cpu(o.cpu),
    memory: memory(o.memory),
    disk: disks(o.disk),
    network: network(o.network),
    system: system(o.system),
    timestamp: num(o, 'timestamp', ''),
  };
  // The top-level extension fields come after the seed's.
  const extra = info as unknown as Record<string, unknown>;
  optional(extra, o, 'connections', connections);
  optional(extra, o, 'temperatures', temperatures);
  return info;
}

/**
 * Checks a parsed report against the seed's ServerInfo and its optional extension fields (DESIGN section 3) and
 * returns a clean copy holding only the known fields and the first of each filesystem path, interface name and
 * sensor name,
 * or the first offending field (e.g. `disk[2].usedPercent`) and what is wrong with it.
 */
export function validateServerInfo(value: unknown): Validation<ServerInfo> {
  try {
    return { ok: true, value: serverInfo(value) };
  } catch (err) {
    if (err instanceof FieldError) return { ok: false, field: err.field, message: err.message };
    throw err;
  }
}
