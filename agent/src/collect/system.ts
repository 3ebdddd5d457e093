import { join } from 'node:path';
import { readFirst, resolveInRoot } from '../host';

/** The `ID` of an os-release file (`ubuntu`, `debian`, `rhel`, `flatcar`), unquoted; `linux` when absent, as the spec says. */
export function parseOsReleaseId(text: string): string {
  for (const line of text.split('\n')) {
    const match = /^ID=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined) return match[1].replace(/^(["'])(.*)\1$/, '$2').trim() || 'linux';
  }
  return 'linux';
}

/**
 * The host's os-release: $HOST_ETC/os-release, whose usual symlink to /usr/lib/os-release is followed inside the
 * host's root, else $HOST_ROOT/usr/lib/os-release.
 */
export async function readOsRelease(etc: string, root: string): Promise<string> {
  const fallback = join(root, 'usr/lib/os-release');
  // Never read the unresolved link: its absolute target would be the agent's own /usr/lib/os-release.
  const etcFile = await resolveInRoot(root, join(etc, 'os-release')).catch(() => fallback);
  return readFirst([etcFile, fallback]);
}

/** Seconds since boot: the first field of /proc/uptime, whole seconds. */
export function parseUptime(text: string): number {
  const seconds = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isFinite(seconds)) throw new Error(`unreadable uptime "${text.trim()}"`);
  return Math.floor(seconds);
}

const GO_ARCH: Partial<Record<NodeJS.Architecture, string>> = {
  x64: 'amd64',
  ia32: '386',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** Node's process.arch in Go's GOARCH spelling, as the original agent reported it. */
export function goArch(arch: NodeJS.Architecture): string {
  return GO_ARCH[arch] ?? arch;
}

/** The 1, 5 and 15 minute load averages: the first three fields of /proc/loadavg. */
export function parseLoadavg(text: string): { load1: number; load5: number; load15: number } {
  const [load1, load5, load15] = text.trim().split(/\s+/).map(Number);
  if (![load1, load5, load15].every((n) => n !== undefined && Number.isFinite(n) && n >= 0)) {
    throw new Error(`unreadable loadavg "${text.trim()}"`);
  }
  return { load1: load1 ?? 0, load5: load5 ?? 0, load15: load15 ?? 0 };
}

/** Processes: the numeric entries of a /proc listing (node_exporter's node_processes_pids). */
export function countProcesses(entries: readonly string[]): number {
  let n = 0;
  for (const entry of entries) {
    const c = entry.charCodeAt(0);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}
