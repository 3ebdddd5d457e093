export interface Mount {
  /** `major:minor` of the filesystem's device (st_dev). */
  device: string;
  /** Path inside the filesystem that is mounted here; not `/` for bind mounts of a subdirectory. */
  root: string;
  mountPoint: string;
  fsType: string;
  /** What was mounted: `/dev/nvme0n1p2`, `/dev/mapper/vg-root`, `server:/export`, `tmpfs`. */
  source: string;
}

/** Undoes the octal escapes the kernel writes for space, tab, newline and backslash. */
function decodeOctalEscapes(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/**
 * Parses /proc/<pid>/mountinfo: `id parent major:minor root mountpoint options [optional...] - fstype source
 * superoptions`. Malformed lines are skipped.
 */
export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    const [, , device, root, mountPoint] = fields;
    const fsType = fields[separator + 1];
    const source = fields[separator + 2];
    if (separator === -1 || !device || !root || !mountPoint || !fsType || source === undefined) continue;
    mounts.push({
      device,
      root: decodeOctalEscapes(root),
      mountPoint: decodeOctalEscapes(mountPoint),
      fsType,
      source: decodeOctalEscapes(source),
    });
  }
  return mounts;
}

// node_exporter's defaults (--collector.filesystem.mount-points-exclude and fs-types-exclude) ...
const NODE_EXPORTER_MOUNT_POINTS =
  '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)';
const NODE_EXPORTER_FS_TYPES =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$';
// ... plus what a Kubernetes node mounts per pod and container, memory-backed filesystems, and network
// filesystems (their usage belongs to the server that exports them, and a dead server can hang statfs).
const KUBERNETES_MOUNT_POINTS =
  '^/(var/lib/(kubelet|containerd|rancher|k0s)/.+|run/(containerd|k3s|k0s|netns|docker|user)/.+)';
const MEMORY_FS_TYPES = String.raw`^(tmpfs|ramfs|efivarfs|fuse\.lxcfs|fuse\.gvfsd-fuse|fuse\.portal)$`;
const NETWORK_FS_TYPES = String.raw`^(nfs4?|cifs|smb3|smbfs|ncpfs|9p|drvfs|afs|ceph|cephfs|fuse\.ceph|glusterfs|fuse\.glusterfs|lustre|gpfs|beegfs|davfs|sshfs|fuse\.sshfs|fuse\.s3fs|fuse\.rclone|fuse\.juicefs)$`;

export const DEFAULT_MOUNT_POINT_EXCLUDES = [NODE_EXPORTER_MOUNT_POINTS, KUBERNETES_MOUNT_POINTS];
export const DEFAULT_FS_TYPE_EXCLUDES = [NODE_EXPORTER_FS_TYPES, MEMORY_FS_TYPES, NETWORK_FS_TYPES];

export interface MountFilter {
  /** Report exactly these mount points (skips the exclusions below). */
  mountPoints?: readonly string[];
  excludeMountPoints: readonly RegExp[];
  excludeFsTypes: readonly RegExp[];
}

export function defaultMountFilter(extra: Partial<MountFilter> = {}): MountFilter {
  return {
    ...(extra.mountPoints ? { mountPoints: extra.mountPoints } : {}),
    excludeMountPoints: [
      ...DEFAULT_MOUNT_POINT_EXCLUDES.map((r) => new RegExp(r)),
      ...(extra.excludeMountPoints ?? []),
    ],
    excludeFsTypes: [...DEFAULT_FS_TYPE_EXCLUDES.map((r) => new RegExp(r)), ...(extra.excludeFsTypes ?? [])],
  };
}

/** Sorts the mount that best represents a device first: the whole filesystem, then the shortest path. */
function better(a: Mount, b: Mount): number {
  return Number(b.root === '/') - Number(a.root === '/') || a.mountPoint.length - b.mountPoint.length;
}

/**
 * The filesystems worth reporting: filtered like node_exporter plus Kubernetes and network exclusions, and one
 * entry per device, so bind mounts and btrfs subvolumes do not count a disk twice. Sorted by mount point.
 */
export function selectMounts(mounts: readonly Mount[], filter: MountFilter): Mount[] {
  const wanted = filter.mountPoints
    ? mounts.filter((m) => filter.mountPoints?.includes(m.mountPoint))
    : mounts.filter(
        (m) =>
          !filter.excludeMountPoints.some((r) => r.test(m.mountPoint)) &&
          !filter.excludeFsTypes.some((r) => r.test(m.fsType)),
      );
  const byDevice = new Map<string, Mount>();
  for (const mount of wanted) {
    const seen = byDevice.get(mount.device);
    if (!seen || better(mount, seen) < 0) byDevice.set(mount.device, mount);
  }
  return [...byDevice.values()].sort((a, b) => a.mountPoint.localeCompare(b.mountPoint));
}
