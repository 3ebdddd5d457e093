import { readFileSync } from 'node:fs';

/** The q-quantile (0-1) of the values, nearest-rank; NaN for none. */
export function quantile(sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100; // USER_HZ, 100 on every Linux architecture we target
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** Peak resident set size of a process so far (VmHWM), bytes. */
export function peakRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
}

export function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** CPU seconds a process has used so far in user and in kernel mode apart, from /proc/<pid>/stat. */
export function cpuTimes(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

/** Write system calls (write, writev, sendmsg, ...) a process has made so far: syscw of /proc/<pid>/io. */
export function writeCalls(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  return Number(/syscw:\s+(\d+)/.exec(io)?.[1] ?? Number.NaN);
}

/** Latency histograms: buckets of 0.1 ms up to 10 s (the last bucket holds everything later). */
export const LATENCY_BUCKET_MS = 0.1;
export const LATENCY_BUCKETS = 100_000;

/** The q-quantile (0-1) of a histogram given as [bucket, count] pairs, nearest-rank, as the bucket's upper edge. */
export function histogramQuantile(histogram: Map<number, number>, q: number): number {
  let total = 0;
  for (const n of histogram.values()) total += n;
  if (total === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(bucket) ?? 0;
    if (seen >= rank) return (bucket + 1) * LATENCY_BUCKET_MS;
  }
  return Number.NaN;
}
