import type { ServerInfo } from './server-info';
import { SettingError } from './settings';

/** The seed's complete example report, byte for byte in meaning; tests and benchmarks start from it. */
export function seedExample(): ServerInfo {
  return {
    serverId: 'web-1',
    serverName: 'Web Server 1',
    group: 'production',
    countryCode: 'CN',
    location: 'Beijing, China',
    ip: '123.45.67.89',
    cpu: { percent: 45.2, cores: 8, modelName: 'Intel(R) Xeon(R) CPU E5-2680 v4' },
    memory: { total: 16777216000, used: 8388608000, available: 8388608000, usedPercent: 50.0 },
    disk: [
      {
        path: '/',
        total: 107374182400,
        used: 53687091200,
        free: 53687091200,
        usedPercent: 50.0,
        readSpeed: 1048576,
        writeSpeed: 524288,
      },
    ],
    network: {
      interfaceName: 'eth0',
      bytesSent: 1073741824,
      bytesRecv: 2147483648,
      inSpeed: 1048576,
      outSpeed: 524288,
    },
    system: {
      hostname: 'web-server-1',
      os: 'linux',
      platform: 'ubuntu',
      arch: 'amd64',
      kernel: '5.15.0-58-generic',
      uptime: 864000,
    },
    timestamp: 1699123456,
  };
}

/** The seed's example with every extension field of DESIGN section 3 filled in, as a busy 8-core node sends it. */
export function fullExample(): ServerInfo {
  const seed = seedExample();
  return {
    ...seed,
    cpu: {
      ...seed.cpu,
      load1: 3.12,
      load5: 2.5,
      load15: 1.98,
      perCore: [61.2, 40.1, 55, 38.4, 47.9, 36.2, 42.7, 40.1],
      modes: { user: 30.1, nice: 0.5, system: 9.8, iowait: 2.4, irq: 0.3, softirq: 1.6, steal: 0.5 },
    },
    memory: { ...seed.memory, swapTotal: 4294967296, swapUsed: 268435456, cached: 4194304000 },
    disk: seed.disk.map((d) => ({ ...d, ioUtilPercent: 12.5 })),
    network: {
      ...seed.network,
      interfaces: [
        { name: 'eth0', bytesSent: 1073741824, bytesRecv: 2147483648, inSpeed: 1048576, outSpeed: 524288 },
        { name: 'eth1', bytesSent: 52428800, bytesRecv: 104857600, inSpeed: 20480, outSpeed: 10240 },
      ],
    },
    system: { ...seed.system, processes: 312, bootTime: 1698259456 },
    connections: { tcp: 142, tcpEstablished: 87, udp: 9 },
    temperatures: [
      { sensor: 'coretemp Package id 0', celsius: 54, criticalCelsius: 100 },
      { sensor: 'nvme Composite', celsius: 38.85, criticalCelsius: 84.85 },
      { sensor: 'acpitz thermal_zone0', celsius: 27.8 },
    ],
  };
}

/** The SettingError that `fn` throws; fails the test when it throws nothing or something else. */
export function settingErrorOf(fn: () => unknown): SettingError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SettingError) return err;
    throw err;
  }
  throw new Error('expected a SettingError');
}
