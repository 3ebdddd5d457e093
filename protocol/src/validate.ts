import { isValidServerId, SERVER_ID_RULE } from './constants';
import type { CpuInfo, DiskInfo, MemoryInfo, NetworkInfo, ServerInfo, SystemInfo } from './server-info';

export type Validation<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

/** Most filesystems one report may carry; a node with more is misconfigured or hostile. */
export const MAX_DISKS = 256;

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

function cpu(value: unknown): CpuInfo {
  const o = object(value, 'cpu');
  const cores = num(o, 'cores', 'cpu.');
  if (!Number.isInteger(cores)) throw new FieldError('cpu.cores', 'must be a whole number');
  return { percent: percent(o, 'percent', 'cpu.'), cores, modelName: str(o, 'modelName', 'cpu.', 256) };
}

function memory(value: unknown): MemoryInfo {
  const o = object(value, 'memory');
  return {
    total: num(o, 'total', 'memory.'),
    used: num(o, 'used', 'memory.'),
    available: num(o, 'available', 'memory.'),
    usedPercent: percent(o, 'usedPercent', 'memory.'),
  };
}

function disks(value: unknown): DiskInfo[] {
  if (!Array.isArray(value)) throw new FieldError('disk', 'must be an array');
  if (value.length > MAX_DISKS) throw new FieldError('disk', `must have at most ${MAX_DISKS} entries`);
  return value.map((item: unknown, i) => {
    const path = `disk[${i}].`;
    const o = object(item, `disk[${i}]`);
    return {
      path: str(o, 'path', path, 4096),
      total: num(o, 'total', path),
      used: num(o, 'used', path),
      free: num(o, 'free', path),
      usedPercent: percent(o, 'usedPercent', path),
      readSpeed: num(o, 'readSpeed', path),
      writeSpeed: num(o, 'writeSpeed', path),
    };
  });
}

function network(value: unknown): NetworkInfo {
  const o = object(value, 'network');
  return {
    interfaceName: str(o, 'interfaceName', 'network.', 64),
    bytesSent: num(o, 'bytesSent', 'network.'),
    bytesRecv: num(o, 'bytesRecv', 'network.'),
    inSpeed: num(o, 'inSpeed', 'network.'),
    outSpeed: num(o, 'outSpeed', 'network.'),
  };
}

function system(value: unknown): SystemInfo {
  const o = object(value, 'system');
  return {
    hostname: str(o, 'hostname', 'system.', 253),
    os: str(o, 'os', 'system.', 64),
    platform: str(o, 'platform', 'system.', 64),
    arch: str(o, 'arch', 'system.', 64),
    kernel: str(o, 'kernel', 'system.', 256),
    uptime: num(o, 'uptime', 'system.'),
  };
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
  return info;
}

/**
 * Checks a parsed report against the seed's ServerInfo and returns a clean copy holding only the known fields,
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
