import { readdirSync, readFileSync } from 'node:fs';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** Where the host's filesystems are visible to the agent: /proc, /sys, / and /etc, or their /host/... mounts. */
export interface HostPaths {
  proc: string;
  sys: string;
  root: string;
  etc: string;
}

export const DEFAULT_HOST_PATHS: HostPaths = { proc: '/proc', sys: '/sys', root: '/', etc: '/etc' };

export function readText(path: string): Promise<string> {
  return readFile(path, 'utf8');
}

/**
 * A file of /proc, read on the calling thread. /proc files are made by the kernel as they are read, never wait
 * for a disk, and are small: one read call on this thread costs a fraction of a round trip through libuv's
 * thread pool (open, stat, read, close as four queued operations), which made up most of a report cycle's CPU.
 * Not for /sys: some hwmon drivers answer over slow buses, so sensors stay on the thread pool.
 */
export function readProc(path: string): Promise<string> {
  try {
    return Promise.resolve(readFileSync(path, 'utf8'));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** The entries of a /proc directory, read on the calling thread (see readProc). */
export function listProc(path: string): Promise<string[]> {
  try {
    return Promise.resolve(readdirSync(path));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Reads the first of `paths` that exists; rethrows the first error when none does. */
export async function readFirst(
  paths: readonly string[],
  read: (path: string) => Promise<string> = readText,
): Promise<string> {
  let first: unknown;
  for (const path of paths) {
    try {
      return await read(path);
    } catch (err) {
      first ??= err;
    }
  }
  throw first;
}

/**
 * Resolves symlinks in `path` as the host would see them: an absolute target such as `/usr/lib/os-release` is
 * taken inside `root` (the host's /), not inside the agent's container.
 */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    const info = await lstat(current);
    if (!info.isSymbolicLink()) return current;
    const target = await readlink(current);
    current = isAbsolute(target) ? join(root, target) : resolve(dirname(current), target);
  }
  throw new Error(`too many symbolic links at ${path}`);
}
