// A believable fleet of servers for the browser tests and the ui benchmark: names, groups, countries, sizes and
// metrics that move over time. Deterministic for a given seed, so screenshots are comparable run to run.
// Reports built here go to the real dashboard through real reporter WebSockets.

import type { ServerInfo } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import { random } from '../support/random';

export interface FleetServer {
  id: string;
  name: string;
  group: string;
  countryCode: string;
  location: string;
  ip: string;
  cores: number;
  memoryTotal: number;
  disks: { path: string; total: number; used: number }[];
  platform: string;
  arch: string;
  kernel: string;
  bootedAt: number;
  /** Per-server phase and load level, so no two servers draw the same curve. */
  phase: number;
  load: number;
  /**
   * Which extension fields (DESIGN section 3) its agent sends: `all`, `noSensors` (a VM: no temperatures, no
   * swap), or `seed` (an agent written to the seed alone).
   */
  extensions: 'all' | 'noSensors' | 'seed';
  /** Interfaces besides eth0. */
  extraInterfaces: string[];
}

const SITES = [
  { code: 'HK', location: 'Hong Kong', prefix: 'hk' },
  { code: 'JP', location: 'Tokyo, Japan', prefix: 'tyo' },
  { code: 'SG', location: 'Singapore', prefix: 'sg' },
  { code: 'US', location: 'San Jose, United States', prefix: 'sjc' },
  { code: 'DE', location: 'Frankfurt, Germany', prefix: 'fra' },
  { code: 'CN', location: 'Shanghai, China', prefix: 'sha' },
  { code: 'NL', location: 'Amsterdam, Netherlands', prefix: 'ams' },
  { code: 'GB', location: 'London, United Kingdom', prefix: 'lon' },
];
const GROUPS = ['production', 'edge', 'staging', 'database'];
const ROLES: Record<string, string> = {
  production: 'web',
  edge: 'edge',
  staging: 'stg',
  database: 'db',
};
const PLATFORMS = [
  { platform: 'ubuntu', kernel: '6.8.0-49-generic' },
  { platform: 'debian', kernel: '6.1.0-27-amd64' },
  { platform: 'rocky', kernel: '5.14.0-427.el9.x86_64' },
  { platform: 'alpine', kernel: '6.6.58-0-lts' },
];
const GiB = 1024 ** 3;

export function fleet(count: number, seed = 7): FleetServer[] {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)] as T;
  const servers: FleetServer[] = [];
  for (let i = 0; i < count; i++) {
    const site = SITES[i % SITES.length] as (typeof SITES)[number];
    const group = GROUPS[Math.floor(i / SITES.length) % GROUPS.length] as string;
    const n = String(Math.floor(i / (SITES.length * GROUPS.length)) + 1).padStart(2, '0');
    const os = pick(PLATFORMS);
    const rootTotal = pick([40, 80, 160, 320]) * GiB;
    const disks = [{ path: '/', total: rootTotal, used: rootTotal * (0.2 + rnd() * 0.6) }];
    if (group === 'database' || rnd() < 0.3) {
      const dataTotal = pick([500, 1000, 2000]) * GiB;
      disks.push({ path: '/var/lib/data', total: dataTotal, used: dataTotal * (0.3 + rnd() * 0.65) });
    }
    if (rnd() < 0.4) disks.push({ path: '/boot', total: 1 * GiB, used: 0.2 * GiB + rnd() * 0.2 * GiB });
    servers.push({
      id: `${site.prefix}-${ROLES[group]}-${n}`,
      name: `${site.prefix.toUpperCase()} ${ROLES[group]} ${n}`,
      group,
      countryCode: site.code,
      location: site.location,
      ip: `203.0.113.${(i % 250) + 1}`,
      cores: pick([2, 4, 8, 16, 32]),
      memoryTotal: pick([2, 4, 8, 16, 32, 64]) * GiB,
      disks,
      platform: os.platform,
      arch: rnd() < 0.8 ? 'amd64' : 'arm64',
      kernel: os.kernel,
      bootedAt: Math.floor(Date.now() / 1000 - 3_600 - rnd() * 90 * 86_400),
      phase: rnd() * Math.PI * 2,
      load: 0.1 + rnd() * 0.75,
      extensions: i % 5 === 4 ? 'seed' : i % 3 === 1 ? 'noSensors' : 'all',
      extraInterfaces: group === 'database' ? ['eth1', 'bond0'] : i % 2 === 0 ? ['eth1'] : [],
    });
  }
  return servers;
}

/** The report a server of the fleet sends at Unix time `now` (seconds). */
export function report(server: FleetServer, now: number): ServerInfo {
  const wave = (period: number, shift = 0) => 0.5 + 0.5 * Math.sin(now / period + server.phase + shift);
  const jitter = (amount: number) => (Math.sin(now * 12.9898 + server.phase * 78.233) * 43758.5453) % amount;
  const cpu = Math.min(100, Math.max(0.5, server.load * 100 * (0.55 + 0.45 * wave(40)) + jitter(6)));
  const memPercent = Math.min(97, 25 + server.load * 60 + 8 * wave(300, 1));
  const memUsed = (server.memoryTotal * memPercent) / 100;
  const inSpeed = Math.max(0, server.load * 24e6 * wave(25, 2) + jitter(2e5));
  const outSpeed = Math.max(0, server.load * 9e6 * wave(31, 3) + jitter(1e5));
  const base = seedExample();
  const info: ServerInfo = {
    ...base,
    serverId: server.id,
    serverName: server.name,
    group: server.group,
    countryCode: server.countryCode,
    location: server.location,
    ip: server.ip,
    cpu: { percent: cpu, cores: server.cores, modelName: base.cpu.modelName },
    memory: {
      total: server.memoryTotal,
      used: memUsed,
      available: server.memoryTotal - memUsed,
      usedPercent: memPercent,
    },
    disk: server.disks.map((d, i) => {
      const used = Math.round(d.used);
      const free = d.total - used;
      return {
        path: d.path,
        total: d.total,
        used,
        free,
        usedPercent: (used / d.total) * 100,
        readSpeed:
          i === 0
            ? Math.max(0, 4e6 * wave(17, 4) * server.load)
            : Math.max(0, 2e7 * wave(23, 5) * server.load),
        writeSpeed:
          i === 0
            ? Math.max(0, 2e6 * wave(19, 6) * server.load)
            : Math.max(0, 1e7 * wave(29, 7) * server.load),
      };
    }),
    network: {
      interfaceName: 'eth0',
      bytesRecv: Math.round((now - server.bootedAt) * server.load * 6e6),
      bytesSent: Math.round((now - server.bootedAt) * server.load * 2e6),
      inSpeed,
      outSpeed,
    },
    system: {
      hostname: server.id,
      os: 'linux',
      platform: server.platform,
      arch: server.arch,
      kernel: server.kernel,
      uptime: Math.max(0, Math.floor(now - server.bootedAt)),
    },
    timestamp: Math.floor(now),
  };
  return server.extensions === 'seed' ? info : withExtensions(server, info, wave);
}

/** The extension fields of DESIGN section 3, moving with the same waves as the seed's figures. */
function withExtensions(
  server: FleetServer,
  info: ServerInfo,
  wave: (period: number, shift?: number) => number,
): ServerInfo {
  const cpu = info.cpu.percent;
  const perCore = Array.from({ length: server.cores }, (_, i) =>
    Math.min(100, Math.max(0, cpu * (0.6 + 0.8 * wave(13 + i, i)))),
  );
  const modes = {
    user: cpu * 0.62,
    nice: cpu * 0.02,
    system: cpu * 0.24,
    iowait: cpu * 0.06,
    irq: cpu * 0.01,
    softirq: cpu * 0.04,
    steal: cpu * 0.01,
  };
  const sensors = server.extensions === 'all';
  const swapTotal = sensors ? Math.min(8, server.memoryTotal / 1024 ** 3) * 1024 ** 3 : 0;
  const { bytesRecv, bytesSent, inSpeed, outSpeed } = info.network;
  const interfaces = [
    { name: 'eth0', bytesRecv, bytesSent, inSpeed, outSpeed },
    ...server.extraInterfaces.map((name, i) => ({
      name,
      bytesRecv: Math.round(info.network.bytesRecv / (3 + i)),
      bytesSent: Math.round(info.network.bytesSent / (4 + i)),
      inSpeed: Math.round(info.network.inSpeed / (3 + i)),
      outSpeed: Math.round(info.network.outSpeed / (4 + i)),
    })),
  ];
  const hot = server.id === 'sjc-web-01' ? 30 : 0;
  return {
    ...info,
    cpu: {
      ...info.cpu,
      load1: Math.round(server.cores * server.load * (0.4 + wave(60)) * 100) / 100,
      load5: Math.round(server.cores * server.load * (0.5 + 0.5 * wave(300)) * 100) / 100,
      load15: Math.round(server.cores * server.load * 0.7 * 100) / 100,
      perCore,
      modes,
    },
    memory: {
      ...info.memory,
      swapTotal,
      swapUsed: swapTotal * server.load * 0.3,
      cached: info.memory.available * 0.6,
    },
    disk: info.disk.map((d, i) => ({
      ...d,
      ioUtilPercent: Math.min(100, 40 * server.load * wave(21 + i, i)),
    })),
    network: { ...info.network, interfaces },
    system: {
      ...info.system,
      processes: Math.round(180 + server.cores * 12 + 40 * wave(90)),
      bootTime: server.bootedAt,
    },
    connections: {
      tcp: Math.round(60 + 400 * server.load),
      tcpEstablished: Math.round(30 + 300 * server.load * wave(45)),
      udp: 8,
    },
    temperatures: sensors
      ? [
          {
            sensor: 'coretemp Package id 0',
            celsius: 45 + hot + 25 * server.load * wave(50),
            criticalCelsius: 100,
          },
          {
            sensor: 'coretemp Core 0',
            celsius: 43 + hot + 25 * server.load * wave(47),
            criticalCelsius: 100,
          },
          { sensor: 'nvme Composite', celsius: 36 + 8 * wave(400), criticalCelsius: 84.85 },
          { sensor: 'acpitz temp1', celsius: 27.8 },
        ]
      : [],
  };
}
