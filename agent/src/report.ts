import type { ServerInfo } from '@sss/protocol';
import type { Sample } from './collect/collector';

/** What stays the same in every report: the configured identity and the facts read at start. */
export interface Identity {
  serverId: string;
  serverName: string;
  group?: string;
  countryCode?: string;
  location?: string;
  ip?: string;
  hostname: string;
  cpuModel: string;
  /** Go's GOARCH spelling. */
  arch: string;
}

export function buildReport(identity: Identity, sample: Sample, timestamp: number): ServerInfo {
  const { serverId, serverName, group, countryCode, location, ip } = identity;
  return {
    serverId,
    serverName,
    ...(group ? { group } : {}),
    ...(countryCode ? { countryCode } : {}),
    ...(location ? { location } : {}),
    ...(ip ? { ip } : {}),
    cpu: { percent: sample.cpu.percent, cores: sample.cpu.cores, modelName: identity.cpuModel },
    memory: sample.memory,
    disk: sample.disk,
    network: sample.network,
    system: {
      hostname: identity.hostname,
      os: 'linux',
      platform: sample.system.platform,
      arch: identity.arch,
      kernel: sample.system.kernel,
      uptime: sample.system.uptime,
    },
    timestamp,
  };
}
