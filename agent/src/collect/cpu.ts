import type { CpuModes } from '@sss/protocol';
import { percent } from './rate';

/** The modes of a `cpu` line of /proc/stat, in the kernel's order (guest and guest_nice are already in user and nice). */
const MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

export interface CpuTimes {
  /** user+nice+system+idle+iowait+irq+softirq+steal, in USER_HZ ticks. */
  total: number;
  /** total - idle - iowait. */
  busy: number;
  /** Ticks per mode, in MODES order. */
  ticks: number[];
}

export interface ProcStat {
  aggregate: CpuTimes;
  /** Logical CPUs: the cpuN lines (online CPUs). */
  cores: number;
  /** Each `cpuN` line by its name, in file order. */
  perCore: Map<string, CpuTimes>;
  /** Unix seconds of the boot (`btime`), when the file has it. */
  bootTime?: number;
}

function cpuTimes(line: string): CpuTimes | undefined {
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  // Very old kernels have only user, nice, system and idle.
  if (fields.length < 4 || fields.some((n) => !Number.isFinite(n))) return undefined;
  const ticks = MODES.map((_, i) => fields[i] ?? 0);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { total, busy: total - (ticks[3] ?? 0) - (ticks[4] ?? 0), ticks };
}

/** Parses /proc/stat as node_exporter's cpu and stat collectors do: the `cpu` and `cpuN` lines and `btime`. */
export function parseProcStat(text: string): ProcStat {
  let aggregate: CpuTimes | undefined;
  const perCore = new Map<string, CpuTimes>();
  let bootTime: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu')) {
      const name = line.slice(0, line.indexOf(' '));
      if (name === 'cpu') aggregate = cpuTimes(line);
      else if (/^cpu\d+$/.test(name)) {
        const times = cpuTimes(line);
        if (times) perCore.set(name, times);
      }
    } else if (line.startsWith('btime ')) {
      const seconds = Number(line.slice(6).trim());
      if (Number.isFinite(seconds)) bootTime = seconds;
    }
  }
  if (!aggregate) throw new Error('no aggregate "cpu" line in stat');
  return { aggregate, cores: perCore.size, perCore, ...(bootTime !== undefined ? { bootTime } : {}) };
}

/**
 * Busy share of all CPUs between two readings, 0-100, or undefined when the sample must be skipped: the
 * counters went backwards (seen after VM migration and on some kernels) or no time passed.
 */
export function cpuPercent(previous: CpuTimes, current: CpuTimes): number | undefined {
  const total = current.total - previous.total;
  const busy = current.busy - previous.busy;
  if (total <= 0 || busy < 0) return undefined;
  return percent(busy, total);
}

/** Share of the time in each mode between two readings, or undefined when the sample must be skipped. */
export function cpuModes(previous: CpuTimes, current: CpuTimes): CpuModes | undefined {
  const total = current.total - previous.total;
  if (total <= 0) return undefined;
  const share = (i: number) => {
    const delta = (current.ticks[i] ?? 0) - (previous.ticks[i] ?? 0);
    return delta < 0 ? Number.NaN : percent(delta, total);
  };
  const modes: CpuModes = {
    user: share(0),
    nice: share(1),
    system: share(2),
    iowait: share(4),
    irq: share(5),
    softirq: share(6),
    steal: share(7),
  };
  return Object.values(modes).some(Number.isNaN) ? undefined : modes;
}
