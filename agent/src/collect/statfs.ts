import { statfs } from 'node:fs/promises';

export interface FsUsage {
  /** Bytes: blocks x bsize, the filesystem's size as df and node_exporter's node_filesystem_size_bytes show it. */
  size: number;
  /** Bytes: (blocks - bfree) x bsize. */
  used: number;
  /** Bytes an unprivileged user may still write: bavail x bsize. */
  free: number;
  /** Whole size in blocks; 0 for pseudo filesystems with nothing to report. */
  blocks: number;
}

export type StatFs = (path: string) => Promise<FsUsage>;

export const statfsUsage: StatFs = async (path) => {
  const s = await statfs(path);
  return {
    size: s.blocks * s.bsize,
    used: (s.blocks - s.bfree) * s.bsize,
    free: s.bavail * s.bsize,
    blocks: s.blocks,
  };
};

export class StatfsTimeout extends Error {
  constructor(path: string, ms: number) {
    super(`statfs ${path} did not answer within ${ms} ms`);
    this.name = 'StatfsTimeout';
  }
}

/**
 * statfs with a deadline. A hung mount (a dead NFS server, a stuck FUSE daemon) keeps a libuv worker thread
 * blocked until the kernel answers, so a path whose previous call is still pending is not asked again: at
 * most one thread per hung mount, and the other mounts and files keep the remaining threads.
 */
export class BoundedStatfs {
  private readonly pending = new Map<string, Promise<FsUsage>>();

  constructor(
    private readonly timeoutMs: number,
    private readonly call: StatFs = statfsUsage,
  ) {}

  usage(path: string): Promise<FsUsage> {
    let call = this.pending.get(path);
    if (!call) {
      call = this.call(path);
      this.pending.set(path, call);
      const done = () => this.pending.delete(path);
      call.then(done, done);
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StatfsTimeout(path, this.timeoutMs)), this.timeoutMs);
    });
    return Promise.race([call, deadline]).finally(() => clearTimeout(timer));
  }
}
