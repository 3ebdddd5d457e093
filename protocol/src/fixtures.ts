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
