import { join } from 'node:path';
import { readText } from './host';
import type { Logger } from './logger';

/** The `model name` of the first processor in cpuinfo, as the original agent reported it; x86 has it. */
export function parseCpuinfoModel(text: string): string | undefined {
  const match = /^model name\s*:\s*(.+)$/m.exec(text);
  return match?.[1]?.trim() || undefined;
}

const SYSTEMINFORMATION_TIMEOUT_MS = 10_000;

/**
 * cpu.modelName, once at start: $HOST_PROC/cpuinfo's `model name`; where cpuinfo has none (ARM, RISC-V),
 * systeminformation, which decodes the part numbers (it runs lscpu, which is fine at start, never later).
 */
export async function readCpuModel(proc: string, log: Logger): Promise<string> {
  const cpuinfo = await readText(join(proc, 'cpuinfo')).catch(() => '');
  const fromCpuinfo = parseCpuinfoModel(cpuinfo);
  if (fromCpuinfo) return fromCpuinfo;
  let timer: NodeJS.Timeout | undefined;
  try {
    // Loaded only here: it costs about 10 MiB of memory that x86 hosts never need.
    const { default: si } = await import('systeminformation');
    const cpu = await Promise.race([
      si.cpu(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('systeminformation did not answer')),
          SYSTEMINFORMATION_TIMEOUT_MS,
        );
      }),
    ]);
    return [cpu.manufacturer, cpu.brand].filter(Boolean).join(' ').trim();
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'cannot read the CPU model');
    return '';
  } finally {
    clearTimeout(timer);
  }
}
