import { join } from 'node:path';
import {
  type ConnectionsInfo,
  type CpuInfo,
  type CpuModes,
  type DiskInfo,
  type InterfaceInfo,
  MAX_INTERFACES,
  type MemoryInfo,
  type NetworkInfo,
  type TemperatureInfo,
} from '@sss/protocol';
import { type HostPaths, listProc, readFirst, readProc } from '../host';
import { type CpuTimes, cpuModes, cpuPercent, parseProcStat } from './cpu';
import {
  type DiskCounters,
  diskOfMount,
  ioUtilPercent,
  parseDiskstats,
  readDeviceMapperNames,
} from './diskstats';
import type { FailureLog } from './failures';
import { parseMeminfo } from './memory';
import { type MountFilter, parseMountinfo, selectMounts } from './mounts';
import {
  busiestInterface,
  defaultRouteInterface,
  defaultRouteInterface6,
  type InterfaceCounters,
  type InterfaceFilter,
  parseNetDev,
  selectInterfaces,
} from './network';
import { percent, rate } from './rate';
import { discoverSensors, readSensors, type SensorFile } from './sensors';
import { connections } from './sockets';
import type { BoundedStatfs } from './statfs';
import { countProcesses, parseLoadavg, parseOsReleaseId, parseUptime, readOsRelease } from './system';

/** What changes from cycle to cycle; the report adds the agent's identity and start-up facts. */
export interface Sample {
  cpu: Omit<CpuInfo, 'modelName'>;
  memory: MemoryInfo;
  disk: DiskInfo[];
  network: NetworkInfo;
  system: { platform: string; kernel: string; uptime: number; processes?: number; bootTime?: number };
  connections?: ConnectionsInfo;
  temperatures?: TemperatureInfo[];
}

export interface CollectorOptions {
  paths: HostPaths;
  filter: MountFilter;
  /** Report this interface instead of the default-route one. */
  interfaceName?: string;
  /** Which interfaces `network.interfaces` lists (default: every traffic-carrying one but container networking's). */
  interfaces?: InterfaceFilter;
  statfs: BoundedStatfs;
  failures: FailureLog;
  /** Monotonic milliseconds; speeds are per elapsed time measured with it. */
  clock?: () => number;
}

/** Cycles between two readings of the platform (os-release) and the kernel release: 5 minutes at 5 s. */
const FACTS_EVERY = 60;

/** Calls `read` the first time and then every `n`th time, returning the last value read in between. */
function everyNth<T>(n: number): (read: () => Promise<T>) => Promise<T> {
  let calls = 0;
  let last: T | undefined;
  return async (read) => {
    if (last === undefined || calls % n === 0) last = await read();
    calls++;
    return last;
  };
}

const NO_MEMORY: MemoryInfo = { total: 0, used: 0, available: 0, usedPercent: 0 };

/**
 * Reads the host through files and statfs only (no process is spawned), keeping the previous counters for
 * speeds. Each part that fails is reported empty and logged once; the others still go out.
 */
export class HostCollector {
  private readonly clock: () => number;
  private cpuTimes?: CpuTimes;
  private cpuPercent = 0;
  private cores = 0;
  private coreTimes = new Map<string, CpuTimes>();
  private corePercent = new Map<string, number>();
  private modes?: CpuModes;
  private bootTime?: number;
  private disks?: { at: number; byName: Map<string, DiskCounters> };
  private network?: { at: number; counters: InterfaceCounters };
  private interfaces?: { at: number; byName: Map<string, InterfaceCounters> };
  private sensors?: Promise<SensorFile[]>;
  /** The OS and kernel change with a reboot at most: read at the first cycle, then every FACTS_EVERY cycles. */
  private readonly facts = { platform: everyNth<string>(FACTS_EVERY), kernel: everyNth<string>(FACTS_EVERY) };

  constructor(private readonly options: CollectorOptions) {
    this.clock = options.clock ?? (() => performance.now());
  }

  async collect(): Promise<Sample> {
    const { failures } = this.options;
    const [cpu, load, memory, disk, network, platform, kernel, uptime, processes, sockets, temperatures] =
      await Promise.all([
        failures.guard('cpu', () => this.readCpu(), { percent: 0, cores: this.cores }),
        failures.guard('loadavg', () => this.read('loadavg').then(parseLoadavg), undefined),
        failures.guard('memory', () => this.readMemory(), NO_MEMORY),
        failures.guard('disk', () => this.readDisks(), []),
        failures.guard('network', () => this.readNetwork(), {
          interfaceName: '',
          bytesSent: 0,
          bytesRecv: 0,
          inSpeed: 0,
          outSpeed: 0,
        }),
        failures.guard('platform', () => this.facts.platform(() => this.readPlatform()), ''),
        failures.guard(
          'kernel',
          () => this.facts.kernel(() => this.read('sys/kernel/osrelease').then((t) => t.trim())),
          '',
        ),
        failures.guard('uptime', () => this.read('uptime').then(parseUptime), 0),
        failures.guard('processes', () => listProc(this.options.paths.proc).then(countProcesses), undefined),
        failures.guard('connections', () => this.readConnections(), undefined),
        failures.guard('temperatures', () => this.readTemperatures(), undefined),
      ]);
    const { bootTime } = this;
    return {
      cpu: { ...cpu, ...load },
      memory,
      disk,
      network,
      system: {
        platform,
        kernel,
        uptime,
        ...(processes !== undefined ? { processes } : {}),
        ...(bootTime !== undefined ? { bootTime } : {}),
      },
      ...(sockets ? { connections: sockets } : {}),
      ...(temperatures ? { temperatures } : {}),
    };
  }

  private read(relative: string): Promise<string> {
    return readProc(join(this.options.paths.proc, relative));
  }

  /** The host's view: PID 1's namespaces (hostPID in a pod), else the agent's own. */
  private readHostNamespace(relative: string): Promise<string> {
    const { proc } = this.options.paths;
    return readFirst([join(proc, '1', relative), join(proc, 'self', relative)], readProc);
  }

  private async readCpu(): Promise<Sample['cpu']> {
    const stat = parseProcStat(await this.read('stat'));
    const baseline = this.cpuTimes !== undefined;
    if (this.cpuTimes) {
      // A sample whose counters went backwards is skipped: the last percentage stands, the new counters
      // become the baseline.
      this.cpuPercent = cpuPercent(this.cpuTimes, stat.aggregate) ?? this.cpuPercent;
      this.modes = cpuModes(this.cpuTimes, stat.aggregate) ?? this.modes;
    }
    const perCore: number[] = [];
    const corePercent = new Map<string, number>();
    for (const [name, times] of stat.perCore) {
      const before = this.coreTimes.get(name);
      const value = (before && cpuPercent(before, times)) ?? this.corePercent.get(name) ?? 0;
      corePercent.set(name, value);
      perCore.push(value);
    }
    this.cpuTimes = stat.aggregate;
    this.coreTimes = stat.perCore;
    this.corePercent = corePercent;
    this.cores = stat.cores;
    this.bootTime = stat.bootTime;
    return {
      percent: this.cpuPercent,
      cores: stat.cores,
      ...(baseline && perCore.length > 0 ? { perCore } : {}),
      ...(this.modes ? { modes: this.modes } : {}),
    };
  }

  private async readConnections(): Promise<ConnectionsInfo> {
    const [sockstat, sockstat6, snmp] = await Promise.all([
      this.readHostNamespace('net/sockstat'),
      this.readHostNamespace('net/sockstat6').catch(() => undefined),
      this.readHostNamespace('net/snmp'),
    ]);
    return connections(sockstat, sockstat6, snmp);
  }

  private async readTemperatures(): Promise<TemperatureInfo[]> {
    this.sensors ??= discoverSensors(this.options.paths.sys);
    return readSensors(await this.sensors);
  }

  private async readMemory(): Promise<MemoryInfo> {
    return parseMeminfo(await this.read('meminfo'));
  }

  private async readPlatform(): Promise<string> {
    const { etc, root } = this.options.paths;
    return parseOsReleaseId(await readOsRelease(etc, root));
  }

  private async readDisks(): Promise<DiskInfo[]> {
    const { paths, filter, statfs, failures } = this.options;
    const mounts = selectMounts(parseMountinfo(await this.readHostNamespace('mountinfo')), filter);
    const counters = await failures.guard(
      'diskstats',
      async () => parseDiskstats(await this.read('diskstats')),
      [],
    );
    const at = this.clock();
    const byDevice = new Map(counters.map((d) => [d.device, d]));
    const byName = new Map(counters.map((d) => [d.name, d]));
    const needsDeviceMapper = mounts.some(
      (m) => !byDevice.has(m.device) && m.source.startsWith('/dev/mapper/'),
    );
    const deviceMapper = needsDeviceMapper
      ? await readDeviceMapperNames(paths.sys)
      : new Map<string, string>();
    const previous = this.disks;
    const elapsed = previous ? (at - previous.at) / 1000 : 0;
    if (counters.length > 0) this.disks = { at, byName };

    const usages = await Promise.all(
      mounts.map((m) =>
        statfs.usage(join(paths.root, m.mountPoint)).then(
          (usage) => {
            failures.succeeded(`statfs ${m.mountPoint}`);
            return usage;
          },
          (err: unknown) => failures.failed(`statfs ${m.mountPoint}`, err),
        ),
      ),
    );
    const disks: DiskInfo[] = [];
    mounts.forEach((mount, i) => {
      const usage = usages[i];
      if (!usage || usage.blocks === 0) return;
      const device = diskOfMount(mount, byDevice, byName, deviceMapper);
      const before = device && previous?.byName.get(device.name);
      const ioTicks = device?.ioTicks;
      disks.push({
        path: mount.mountPoint,
        // df's size (blocks x bsize): reserved blocks make it larger than used + free.
        total: usage.size,
        used: usage.used,
        free: usage.free,
        usedPercent: percent(usage.used, usage.used + usage.free),
        readSpeed: device ? rate(before?.readBytes, device.readBytes, elapsed) : 0,
        writeSpeed: device ? rate(before?.writtenBytes, device.writtenBytes, elapsed) : 0,
        ...(ioTicks !== undefined ? { ioUtilPercent: ioUtilPercent(before?.ioTicks, ioTicks, elapsed) } : {}),
      });
    });
    return disks;
  }

  private async readNetwork(): Promise<NetworkInfo> {
    const interfaces = parseNetDev(await this.readHostNamespace('net/dev'));
    const at = this.clock();
    const name = this.options.interfaceName ?? (await this.defaultInterface());
    const current = name ? interfaces.find((i) => i.name === name) : busiestInterface(interfaces);
    if (!current) {
      const known = interfaces.map((i) => i.name).join(', ');
      throw new Error(`interface "${name ?? ''}" not found in net/dev; interfaces: ${known}`);
    }
    const previous = this.network?.counters.name === current.name ? this.network : undefined;
    const elapsed = previous ? (at - previous.at) / 1000 : 0;
    this.network = { at, counters: current };
    return {
      interfaceName: current.name,
      bytesSent: current.bytesSent,
      bytesRecv: current.bytesRecv,
      inSpeed: rate(previous?.counters.bytesRecv, current.bytesRecv, elapsed),
      outSpeed: rate(previous?.counters.bytesSent, current.bytesSent, elapsed),
      interfaces: this.everyInterface(interfaces, at),
    };
  }

  /** `network.interfaces`: the selected interfaces with speeds since the previous reading of each. */
  private everyInterface(all: readonly InterfaceCounters[], at: number): InterfaceInfo[] {
    const previous = this.interfaces;
    const elapsed = previous ? (at - previous.at) / 1000 : 0;
    this.interfaces = { at, byName: new Map(all.map((i) => [i.name, i])) };
    return selectInterfaces(all, this.options.interfaces ?? {})
      .slice(0, MAX_INTERFACES)
      .map((i) => {
        const before = previous?.byName.get(i.name);
        return {
          name: i.name,
          bytesSent: i.bytesSent,
          bytesRecv: i.bytesRecv,
          inSpeed: rate(before?.bytesRecv, i.bytesRecv, elapsed),
          outSpeed: rate(before?.bytesSent, i.bytesSent, elapsed),
        };
      });
  }

  private async defaultInterface(): Promise<string | undefined> {
    const v4 = await this.readHostNamespace('net/route').then(defaultRouteInterface, () => undefined);
    return (
      v4 ?? (await this.readHostNamespace('net/ipv6_route').then(defaultRouteInterface6, () => undefined))
    );
  }
}
