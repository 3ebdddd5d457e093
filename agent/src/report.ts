import type { ServerInfo } from '@sss/protocol';
import type { Sample } from './collect/collector';

/** The fields of a report that name and place the server, as configured. */
export type Descriptor = Pick<
  ServerInfo,
  'serverId' | 'serverName' | 'group' | 'countryCode' | 'location' | 'ip'
>;

/** What stays the same in every report: the configured descriptor and the facts read at start. */
export interface Identity extends Descriptor {
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
    // The seed's fields first, in its order, then the extension fields (DESIGN section 3) the sample has.
    cpu: { ...sample.cpu, modelName: identity.cpuModel },
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
      ...(sample.system.processes !== undefined ? { processes: sample.system.processes } : {}),
      ...(sample.system.bootTime !== undefined ? { bootTime: sample.system.bootTime } : {}),
    },
    timestamp,
    ...(sample.connections ? { connections: sample.connections } : {}),
    ...(sample.temperatures ? { temperatures: sample.temperatures } : {}),
  };
}
