import type { MemoryInfo } from '@sss/protocol';
import { percent } from './rate';

/** Parses /proc/meminfo (values in kB) into bytes; used = MemTotal - MemAvailable. */
export function parseMeminfo(text: string): MemoryInfo {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+(?:\(\w+\))?):\s+(\d+)/.exec(line);
    if (match?.[1] && match[2]) kb.set(match[1], Number(match[2]));
  }
  const totalKb = kb.get('MemTotal');
  if (totalKb === undefined) throw new Error('no MemTotal in meminfo');
  // MemAvailable exists since Linux 3.14; older kernels get the classic free + buffers + cache estimate.
  const availableKb =
    kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0);
  const total = totalKb * 1024;
  const available = Math.min(total, availableKb * 1024);
  const used = total - available;
  return { total, used, available, usedPercent: percent(used, total) };
}
