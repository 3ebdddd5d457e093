import type { ServerInfo } from './server-info';

/** The series the dashboard keeps per server for the ui's charts, one value per report. */
export const HISTORY_SERIES = ['cpu', 'memory', 'netIn', 'netOut', 'diskRead', 'diskWrite'] as const;
export type HistorySeries = (typeof HISTORY_SERIES)[number];
export type HistoryPoint = Record<HistorySeries, number>;

/** The history point of a report: percentages and bytes per second, disk speeds summed over filesystems. */
export function historyPointOf(info: ServerInfo): HistoryPoint {
  let diskRead = 0;
  let diskWrite = 0;
  for (const d of info.disk) {
    diskRead += d.readSpeed;
    diskWrite += d.writeSpeed;
  }
  return {
    cpu: info.cpu.percent,
    memory: info.memory.usedPercent,
    netIn: info.network.inSpeed,
    netOut: info.network.outSpeed,
    diskRead,
    diskWrite,
  };
}

/**
 * `GET /api/servers/:id/history`: columns of equal length, oldest first. `t` is the dashboard's receipt time in
 * Unix seconds; cpu and memory are percent; net and disk are bytes per second (disk summed over filesystems).
 */
export type ServerHistory = {
  serverId: string;
  /** Report interval the dashboard expects, seconds. */
  interval: number;
  t: number[];
} & Record<HistorySeries, number[]>;
