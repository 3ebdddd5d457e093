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

/** Reads the first of `paths` that exists; rethrows the first error when none does. */
export async function readFirst(paths: readonly string[]): Promise<string> {
  let first: unknown;
  for (const path of paths) {
    try {
      return await readText(path);
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
