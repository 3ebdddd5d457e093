import type { MemoryInfo } from '@sss/protocol';
import { percent } from './rate';

/**
 * Parses /proc/meminfo (values in kB) into bytes; used = MemTotal - MemAvailable. Swap (SwapTotal, SwapTotal -
 * SwapFree) and the page cache (Cached) are added when the file has them, as node_exporter's meminfo reads them.
 */
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
  const info: MemoryInfo = { total, used, available, usedPercent: percent(used, total) };
  const swapTotalKb = kb.get('SwapTotal');
  if (swapTotalKb !== undefined) {
    info.swapTotal = swapTotalKb * 1024;
    info.swapUsed = Math.max(0, swapTotalKb - (kb.get('SwapFree') ?? swapTotalKb)) * 1024;
  }
  const cachedKb = kb.get('Cached');
  if (cachedKb !== undefined) info.cached = cachedKb * 1024;
  return info;
}
