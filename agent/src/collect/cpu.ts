import { percent } from './rate';

export interface CpuTimes {
  /** user+nice+system+idle+iowait+irq+softirq+steal, in USER_HZ ticks. */
  total: number;
  /** total - idle - iowait. */
  busy: number;
}

export interface ProcStat {
  aggregate: CpuTimes;
  /** Logical CPUs: the cpuN lines (online CPUs). */
  cores: number;
}

/** Parses /proc/stat: the aggregate `cpu` line and the count of `cpuN` lines. */
export function parseProcStat(text: string): ProcStat {
  let aggregate: CpuTimes | undefined;
  let cores = 0;
  for (const line of text.split('\n')) {
    if (/^cpu\d+\s/.test(line)) cores++;
    else if (/^cpu\s/.test(line)) {
      // guest and guest_nice are already counted in user and nice, so only the first eight fields add up.
      const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
        .trim()
        .split(/\s+/)
        .slice(1, 9)
        .map(Number);
      if (user === undefined || nice === undefined || system === undefined || idle === undefined) break;
      const total = user + nice + system + idle + iowait + irq + softirq + steal;
      aggregate = { total, busy: total - idle - iowait };
    }
  }
  if (!aggregate || [aggregate.total, aggregate.busy].some((n) => !Number.isFinite(n))) {
    throw new Error('no aggregate "cpu" line in stat');
  }
  return { aggregate, cores };
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
