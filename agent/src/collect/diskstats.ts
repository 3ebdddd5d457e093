import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readText } from '../host';
import type { Mount } from './mounts';
import { percent } from './rate';

export interface DiskCounters {
  name: string;
  /** `major:minor`. */
  device: string;
  readBytes: number;
  writtenBytes: number;
  /** Milliseconds the device was busy (io_ticks, field 13); undefined where the line is too short. */
  ioTicks?: number;
}

/** The kernel counts diskstats sectors in 512-byte units whatever the device's real sector size. */
const SECTOR_BYTES = 512;

/**
 * Parses /proc/diskstats: `major minor name reads merged sectorsRead msRead writes merged sectorsWritten msWritten
 * inFlight ioTicks ...` (14 fields before 4.18, 18 with discards, 20 with flushes since 5.5).
 */
export function parseDiskstats(text: string): DiskCounters[] {
  const disks: DiskCounters[] = [];
  for (const line of text.split('\n')) {
    const [major, minor, name, , , sectorsRead, , , , sectorsWritten, , , ioTicks] = line.trim().split(/\s+/);
    if (!major || !minor || !name || sectorsRead === undefined || sectorsWritten === undefined) continue;
    const readBytes = Number(sectorsRead) * SECTOR_BYTES;
    const writtenBytes = Number(sectorsWritten) * SECTOR_BYTES;
    if (!Number.isFinite(readBytes) || !Number.isFinite(writtenBytes)) continue;
    const ticks = Number(ioTicks);
    disks.push({
      name,
      device: `${major}:${minor}`,
      readBytes,
      writtenBytes,
      ...(ioTicks !== undefined && Number.isFinite(ticks) ? { ioTicks: ticks } : {}),
    });
  }
  return disks;
}

/** io_ticks is printed as a 32-bit unsigned number of milliseconds on many kernels: it wraps after 49.7 days. */
const IO_TICKS_WRAP = 2 ** 32;

/**
 * Share of `elapsedSeconds` the device was busy, 0-100 (iostat's %util, node_exporter's
 * node_disk_io_time_seconds_total per second). A 32-bit wrap of io_ticks is undone; any other step backwards
 * (a re-attached device) gives 0 for this interval.
 */
export function ioUtilPercent(previous: number | undefined, current: number, elapsedSeconds: number): number {
  if (previous === undefined || elapsedSeconds <= 0) return 0;
  const elapsedMs = elapsedSeconds * 1000;
  let delta = current - previous;
  if (delta < 0) {
    // Only a wrap if what it implies fits in the interval; else the device was re-attached.
    delta = previous < IO_TICKS_WRAP ? delta + IO_TICKS_WRAP : -1;
    if (delta < 0 || delta > elapsedMs * 1.05) return 0;
  }
  return percent(delta, elapsedMs);
}
/** Device-mapper names (`/dev/mapper/vg-root`) to kernel names (`dm-0`), from $HOST_SYS/block/dm-N/dm/name. */
export async function readDeviceMapperNames(sys: string): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const entries = await readdir(join(sys, 'block')).catch(() => []);
  for (const entry of entries.filter((e) => e.startsWith('dm-'))) {
    const name = await readText(join(sys, 'block', entry, 'dm', 'name')).catch(() => undefined);
    if (name) names.set(name.trim(), entry);
  }
  return names;
}

/**
 * The diskstats entry of a mount's device. Usually its `major:minor` (NVMe partitions such as 259:2 and
 * device-mapper volumes such as 253:0 included); filesystems with an anonymous device number, like btrfs, are
 * found by their source's kernel name (`/dev/sda2` -> `sda2`, `/dev/mapper/vg-root` -> `dm-0`).
 */
export function diskOfMount(
  mount: Mount,
  disks: ReadonlyMap<string, DiskCounters>,
  byName: ReadonlyMap<string, DiskCounters>,
  deviceMapper: ReadonlyMap<string, string>,
): DiskCounters | undefined {
  const exact = disks.get(mount.device);
  if (exact) return exact;
  if (!mount.source.startsWith('/dev/')) return undefined;
  const name = mount.source.startsWith('/dev/mapper/')
    ? deviceMapper.get(basename(mount.source))
    : basename(mount.source);
  return name === undefined ? undefined : byName.get(name);
}
