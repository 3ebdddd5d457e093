import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateServerInfo } from '@sss/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { buildReport } from '../report';
import { captureLog, copyFixture, fixturePaths } from '../testing/support';
import { HostCollector } from './collector';
import { FailureLog } from './failures';
import { defaultMountFilter } from './mounts';
import type { InterfaceFilter } from './network';
import { BoundedStatfs, type FsUsage } from './statfs';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** statfs answers from a table: a fixture tree cannot carry filesystem sizes. Unknown paths fail like ENOENT. */
function statfsTable(table: Record<string, FsUsage>, asked: string[] = []) {
  return new BoundedStatfs(1_000, async (path) => {
    asked.push(path);
    const usage = table[path];
    if (!usage) throw new Error(`ENOENT: statfs ${path}`);
    return usage;
  });
}

/** A filesystem's usage; `size` exceeds used + free by the blocks reserved for root. */
function usage(used: number, free: number, size = used + free): FsUsage {
  return { size, used, free, blocks: 1 };
}

function collector(paths: ReturnType<typeof fixturePaths>, statfs: BoundedStatfs, clock: { now: number }) {
  const { log, lines } = captureLog();
  const c = new HostCollector({
    paths,
    filter: defaultMountFilter(),
    statfs,
    failures: new FailureLog(log),
    clock: () => clock.now,
  });
  return { collector: c, lines };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const clean of cleanups.splice(0)) clean();
});

describe('a typical Ubuntu 22.04 node', () => {
  it('reports every number from the fixture tree, worked out by hand', async () => {
    const tree = copyFixture('ubuntu-22.04');
    cleanups.push(tree.remove);
    const paths = fixturePaths('ubuntu-22.04', { proc: join(tree.dir, 'proc'), etc: join(tree.dir, 'etc') });
    const asked: string[] = [];
    const statfs = statfsTable(
      {
        // ext4 with 5 % reserved for root: 100 GiB in all, 20 GiB used, 75 GiB left to users.
        '/hostroot/': usage(20 * GiB, 75 * GiB, 100 * GiB),
        '/hostroot/boot/efi': usage(6 * MiB, 98 * MiB),
      },
      asked,
    );
    const clock = { now: 0 };
    const { collector: c, lines } = collector(paths, statfs, clock);

    const first = await c.collect();
    // No previous reading yet: no percentage, no per-core or mode shares, no speeds; the load is there at once.
    expect(first.cpu).toEqual({ percent: 0, cores: 4, load1: 0.52, load5: 0.58, load15: 0.59 });
    expect(first.disk.map((d) => [d.path, d.readSpeed, d.writeSpeed])).toEqual([
      ['/', 0, 0],
      ['/boot/efi', 0, 0],
    ]);

    // Five seconds later: cpu +600 user, +200 system, +900 idle, +100 iowait, +200 softirq, shared by the cores
    // as below; sda1 +20000 sectors read, +40000 written, busy 2500 ms more; ens5 +50,000,000 bytes in,
    // +5,000,000 out.
    writeFileSync(
      join(tree.dir, 'proc/stat'),
      [
        'cpu  10600 500 3200 80900 1100 0 700 0 0 0',
        'cpu0 2800 125 850 20050 300 0 125 0 0 0', // +300 user +100 system +50 idle +50 iowait
        'cpu1 2600 125 800 20300 300 0 125 0 0 0', // +100 user +50 system +300 idle +50 iowait
        'cpu2 2600 125 775 20275 250 0 225 0 0 0', // +100 user +25 system +275 idle +100 softirq
        'cpu3 2600 125 775 20275 250 0 225 0 0 0', // the same
        'btime 1700000000',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(tree.dir, 'proc/diskstats'),
      '   8       1 sda1 199000 5000 8010000 89000 399000 150000 24030000 699000 0 501500 799000 0 0 0 0 0 0\n' +
        '   8      15 sda15 300 0 9000 60 2 0 2 0 0 50 60 0 0 0 0 0 0\n',
    );
    writeFileSync(
      join(tree.dir, 'proc/1/net/dev'),
      'Inter-|\n face |\n    lo:  8000000   60000    0    0    0     0          0         0  8000000   60000    0    0    0     0       0          0\n' +
        '  ens5: 5050000000 4000000    0    0    0     0          0         0 2005000000 3000000    0    0    0     0       0          0\n',
    );
    clock.now = 5_000;
    const sample = await c.collect();

    // total 95000 -> 97000 (+2000), busy (total - idle - iowait) 14000 -> 15000 (+1000): 50 %.
    expect(sample.cpu).toEqual({
      percent: 50,
      cores: 4,
      load1: 0.52,
      load5: 0.58,
      load15: 0.59,
      // Each core +500 ticks: busy 400, 150, 225 and 225 of them.
      perCore: [80, 30, 45, 45],
      // Of 2000 ticks: user 600, system 200, iowait 100, softirq 200.
      modes: { user: 30, nice: 0, system: 10, iowait: 5, irq: 0, softirq: 10, steal: 0 },
    });
    // 16384000 kB and 12288000 kB available: used 4096000 kB = 25 %. No swap (SwapTotal 0), 8192000 kB cached.
    expect(sample.memory).toEqual({
      total: 16_384_000 * 1024,
      available: 12_288_000 * 1024,
      used: 4_096_000 * 1024,
      usedPercent: 25,
      swapTotal: 0,
      swapUsed: 0,
      cached: 8_192_000 * 1024,
    });
    // Snaps (squashfs), /run/user (tmpfs), /dev, /sys, /proc and friends are filtered; / and the EFI partition stay.
    expect(sample.disk).toEqual([
      {
        path: '/',
        // df: Size 100G, Used 20G, Avail 75G, Use% 22 (20 / 95 = 21.05 %, which df rounds up).
        total: 100 * GiB,
        used: 20 * GiB,
        free: 75 * GiB,
        usedPercent: 21.05,
        readSpeed: (20_000 * 512) / 5, // 2,048,000 B/s
        writeSpeed: (40_000 * 512) / 5, // 4,096,000 B/s
        ioUtilPercent: 50, // io_ticks 499000 -> 501500: 2500 ms of 5000
      },
      {
        path: '/boot/efi',
        total: 104 * MiB,
        used: 6 * MiB,
        free: 98 * MiB,
        usedPercent: 5.77, // 6 / 104
        readSpeed: 0,
        writeSpeed: 0,
        ioUtilPercent: 0,
      },
    ]);
    // statfs goes through HOST_ROOT + mount point.
    expect(new Set(asked)).toEqual(new Set(['/hostroot/', '/hostroot/boot/efi']));
    // The default route's interface, not the busier loopback or docker0.
    expect(sample.network).toEqual({
      interfaceName: 'ens5',
      bytesRecv: 5_050_000_000,
      bytesSent: 2_005_000_000,
      inSpeed: 10_000_000,
      outSpeed: 1_000_000,
      // lo is left out; so is docker0, which carried nothing and is Docker's.
      interfaces: [
        {
          name: 'ens5',
          bytesRecv: 5_050_000_000,
          bytesSent: 2_005_000_000,
          inSpeed: 10_000_000,
          outSpeed: 1_000_000,
        },
      ],
    });
    // Processes: the numeric entries 1, 2, 17, 412 and 5678 of /proc; boot time from btime.
    expect(sample.system).toEqual({
      platform: 'ubuntu',
      kernel: '5.15.0-91-generic',
      uptime: 864000,
      processes: 5,
      bootTime: 1_700_000_000,
    });
    // sockstat TCP inuse 12 + sockstat6 TCP6 inuse 3; UDP 4 + 2; snmp CurrEstab 9.
    expect(sample.connections).toEqual({ tcp: 15, tcpEstablished: 9, udp: 6 });
    // A cloud VM: no hwmon, no thermal zones.
    expect(sample.temperatures).toEqual([]);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);

    const report = buildReport(
      { serverId: 'ubuntu-1', serverName: 'ubuntu-1', hostname: 'ubuntu-1', cpuModel: 'x', arch: 'amd64' },
      sample,
      1_700_000_000,
    );
    expect(validateServerInfo(report)).toMatchObject({ ok: true });
  });
});

describe('a Kubernetes node with many mounts', () => {
  it('keeps one entry per real device and drops kubelet, containerd, overlay, tmpfs, NFS and bind duplicates', async () => {
    const tree = copyFixture('k8s-node-many-mounts');
    cleanups.push(tree.remove);
    // The host's /etc/os-release is an absolute link; the chart's layout: HOST_ROOT=/host/root, HOST_ETC=/host/root/etc.
    mkdirSync(join(tree.dir, 'root/etc'));
    symlinkSync('/usr/lib/os-release', join(tree.dir, 'root/etc/os-release'));
    const paths = fixturePaths('k8s-node-many-mounts', {
      etc: join(tree.dir, 'root/etc'),
      root: join(tree.dir, 'root'),
    });
    const table = Object.fromEntries(
      ['/', '/usr', '/boot', '/oem', '/mnt/data', '/mnt/my disk', '/srv/export', '/var/lib/containerd'].map(
        (p) => [join(paths.root, p), usage(GiB, GiB)],
      ),
    );
    const { collector: c } = collector(paths, statfsTable(table), { now: 0 });
    const sample = await c.collect();
    expect(sample.disk.map((d) => d.path)).toEqual([
      '/',
      '/boot',
      '/mnt/data',
      '/mnt/my disk',
      '/oem',
      '/usr',
    ]);
    expect(sample.cpu.cores).toBe(8);
    // /etc/os-release -> /usr/lib/os-release is followed inside the host root (this machine's own says otherwise).
    expect(sample.system.platform).toBe('flatcar');
    // Two default routes: the one with the lower metric (eth0, 100) wins over eth1 (200).
    expect(sample.network.interfaceName).toBe('eth0');
  });

  it('maps each mount to its device, btrfs by its source, for speeds', async () => {
    const tree = copyFixture('k8s-node-many-mounts');
    cleanups.push(tree.remove);
    const table = Object.fromEntries(
      ['/', '/usr', '/boot', '/oem', '/mnt/data', '/mnt/my disk'].map((p) => [
        `/hostroot${p === '/' ? '/' : p}`,
        usage(GiB, GiB),
      ]),
    );
    const clock = { now: 0 };
    const { collector: c } = collector(
      fixturePaths('k8s-node-many-mounts', { proc: join(tree.dir, 'proc'), etc: 'root/etc' }),
      statfsTable(table),
      clock,
    );
    await c.collect();
    // +1000 sectors read on every device, +2000 written, over 2 seconds: 256,000 and 512,000 B/s.
    writeFileSync(
      join(tree.dir, 'proc/diskstats'),
      [
        '8 1 sda1 500 0 41000 100 0 0 2000 0 0 100 100 0 0 0 0 0 0',
        '8 6 sda6 200 0 9000 50 100 0 6000 40 0 80 90 0 0 0 0 0 0',
        '8 9 sda9 29000 100 2301000 9800 19900 5000 1598000 8950 0 14800 18750 0 0 0 0 0 0',
        '8 16 sdb 10000 0 1001000 5000 30000 0 6002000 20000 0 20000 25000 0 0 0 0 0 0',
        '8 33 sdc1 900 0 91000 450 1000 0 202000 800 0 850 1250 0 0 0 0 0 0',
        '253 0 dm-0 12000 0 961000 4000 0 0 2000 0 0 4000 4000 0 0 0 0 0 0',
      ].join('\n'),
    );
    clock.now = 2_000;
    const sample = await c.collect();
    for (const disk of sample.disk) {
      expect([disk.path, disk.readSpeed, disk.writeSpeed]).toEqual([disk.path, 256_000, 512_000]);
    }
    expect(sample.disk).toHaveLength(6);
  });

  it('gives 0, never a negative speed, when counters go backwards, and the next interval is right', async () => {
    const tree = copyFixture('k8s-node-many-mounts');
    cleanups.push(tree.remove);
    const clock = { now: 0 };
    const { collector: c } = collector(
      fixturePaths('k8s-node-many-mounts', { proc: join(tree.dir, 'proc'), etc: 'root/etc' }),
      statfsTable({ '/hostroot/mnt/data': usage(GiB, GiB) }),
      clock,
    );
    const write = (file: string, text: string) => writeFileSync(join(tree.dir, 'proc', file), text);
    const netDev = (rx: number, tx: number) =>
      `Inter-|\n face |\n  eth0: ${rx} 100 0 0 0 0 0 0 ${tx} 100 0 0 0 0 0 0 0\n`;
    const sdb = (read: number, written: number) =>
      `8 16 sdb 1 0 ${read} 1 1 0 ${written} 1 0 1 1 0 0 0 0 0 0\n`;
    const dataDisk = (s: Awaited<ReturnType<HostCollector['collect']>>) =>
      s.disk.find((d) => d.path === '/mnt/data');

    // t=0: eth0 near 2^32, sdb as in the fixture; cpu total 1000, busy 300.
    await c.collect();
    // t=5: everything normal. cpu total 2000 (+1000), busy 700 (+400): 40 %.
    write('stat', 'cpu  500 0 200 1300 0 0 0 0 0 0\ncpu0 0 0 0 0\n');
    write('1/net/dev', netDev(4_294_967_000 + 500_000, 1_500_000));
    write('diskstats', sdb(1_000_000 + 1_000, 6_000_000 + 1_000));
    clock.now = 5_000;
    let s = await c.collect();
    expect([s.cpu.percent, s.network.inSpeed, s.network.outSpeed]).toEqual([40, 100_000, 100_000]);
    expect([dataDisk(s)?.readSpeed, dataDisk(s)?.writeSpeed]).toEqual([102_400, 102_400]);
    // The same interface in network.interfaces, with the same speeds; cpu modes of the +1000 ticks.
    expect(s.network.interfaces).toEqual([
      { name: 'eth0', bytesRecv: 4_295_467_000, bytesSent: 1_500_000, inSpeed: 100_000, outSpeed: 100_000 },
    ]);
    expect(s.cpu.modes).toMatchObject({ user: 30, system: 10 });

    // t=10: the 32-bit rx counter wrapped, the interface was re-created (tx back to 0), sdb was re-attached,
    // the cpu counters went backwards (VM restore): speeds 0, the cpu sample is skipped (40 % stands).
    write('stat', 'cpu  100 0 50 350 0 0 0 0 0 0\ncpu0 0 0 0 0\n');
    write('1/net/dev', netDev(1_000, 0));
    write('diskstats', sdb(100, 200));
    clock.now = 10_000;
    s = await c.collect();
    expect([s.cpu.percent, s.network.inSpeed, s.network.outSpeed]).toEqual([40, 0, 0]);
    expect([dataDisk(s)?.readSpeed, dataDisk(s)?.writeSpeed]).toEqual([0, 0]);
    expect(s.network.bytesRecv).toBe(1_000);
    expect(s.network.interfaces?.map((i) => [i.name, i.inSpeed, i.outSpeed])).toEqual([['eth0', 0, 0]]);
    // The skipped cpu sample keeps the last modes too.
    expect(s.cpu.modes).toMatchObject({ user: 30, system: 10 });

    // t=15: measured from the new baseline. cpu total 500 -> 1000, busy 150 -> 450: 60 %.
    write('stat', 'cpu  300 0 150 550 0 0 0 0 0 0\ncpu0 0 0 0 0\n');
    write('1/net/dev', netDev(1_000 + 5_000_000, 2_500_000));
    write('diskstats', sdb(100 + 10_000, 200 + 20_000));
    clock.now = 15_000;
    s = await c.collect();
    expect([s.cpu.percent, s.network.inSpeed, s.network.outSpeed]).toEqual([60, 1_000_000, 500_000]);
    expect([dataDisk(s)?.readSpeed, dataDisk(s)?.writeSpeed]).toEqual([1_024_000, 2_048_000]);
    expect(s.network.interfaces?.map((i) => [i.name, i.inSpeed, i.outSpeed])).toEqual([
      ['eth0', 1_000_000, 500_000],
    ]);
  });

  it('lists the host interfaces among many CNI ones, configurable; no swap; load, sockets, boot time', async () => {
    const tree = copyFixture('k8s-node-many-mounts');
    cleanups.push(tree.remove);
    const paths = fixturePaths('k8s-node-many-mounts', { proc: join(tree.dir, 'proc'), etc: 'root/etc' });
    const make = (interfaces?: InterfaceFilter) =>
      new HostCollector({
        paths,
        filter: defaultMountFilter(),
        statfs: statfsTable({}),
        failures: new FailureLog(captureLog().log),
        clock: () => 0,
        ...(interfaces ? { interfaces } : {}),
      });
    const sample = await make().collect();
    // 21 interfaces in net/dev: lo, veths, cni0, flannel.1, cali*, tunl0, vxlan.calico, cilium_*, lxc*,
    // kube-ipvs0, nodelocaldns and docker0 are container networking; eth2 never carried a byte.
    expect(sample.network.interfaces?.map((i) => i.name)).toEqual(['eth0', 'eth1', 'bond0', 'wg0']);
    expect(sample.network.interfaces?.[3]).toEqual({
      name: 'wg0',
      bytesRecv: 50_000,
      bytesSent: 40_000,
      inSpeed: 0,
      outSpeed: 0,
    });
    expect(sample.network.interfaceName).toBe('eth0');
    expect([sample.cpu.load1, sample.cpu.load5, sample.cpu.load15]).toEqual([6.4, 5.1, 4.02]);
    // Kubernetes nodes run without swap: SwapTotal 0 kB. Cached 1500000 kB.
    expect(sample.memory).toMatchObject({ swapTotal: 0, swapUsed: 0, cached: 1_500_000 * 1024 });
    // TCP 850 + TCP6 40, CurrEstab 700, UDP 14 + UDP6 6.
    expect(sample.connections).toEqual({ tcp: 890, tcpEstablished: 700, udp: 20 });
    expect(sample.system).toMatchObject({ processes: 1, bootTime: 1_710_000_000 });

    const excluded = await make({ exclude: /^(wg|bond)\d/ }).collect();
    expect(excluded.network.interfaces?.map((i) => i.name)).toEqual(['eth0', 'eth1']);
    const included = await make({ include: /^(eth\d|cni0)$/ }).collect();
    expect(included.network.interfaces?.map((i) => i.name)).toEqual(['eth0', 'eth1', 'eth2', 'cni0']);
  });
});

describe('NVMe and device-mapper disks on arm64, without hostPID', () => {
  it('maps NVMe partitions and LVM volumes (and btrfs on LVM through /sys) to their diskstats', async () => {
    const tree = copyFixture('nvme-lvm-arm64');
    cleanups.push(tree.remove);
    const paths = fixturePaths('nvme-lvm-arm64', {
      proc: join(tree.dir, 'proc'),
      etc: 'etc',
      sys: 'sys',
      root: '/hostroot',
    });
    const table = Object.fromEntries(
      ['/', '/boot', '/boot/efi', '/home', '/srv/backup', '/srv/backup-snapshots', '/var/lib/data'].map(
        (p) => [`/hostroot${p === '/' ? '/' : p}`, usage(GiB, 3 * GiB)],
      ),
    );
    const clock = { now: 0 };
    const { collector: c } = collector(paths, statfsTable(table), clock);
    await c.collect();
    writeFileSync(
      join(tree.dir, 'proc/diskstats'),
      [
        '259 1 nvme0n1p1 300 0 12000 50 2 0 4 1 0 60 51 0 0 0 0 0 0',
        '259 2 nvme0n1p2 1000 0 80000 300 500 0 40000 200 0 400 500 0 0 0 0 0 0',
        '259 5 nvme1n1p1 8900 0 710000 3990 20000 0 4100000 10000 0 8900 13990 0 0 0 0 0 0',
        '253 0 dm-0 45000 0 3610000 28000 100000 0 8020000 80000 0 60000 108000 0 0 0 0 0 0',
        '253 2 dm-2 2000 0 200000 900 9000 0 900000 5000 0 3000 5900 0 0 0 0 0 0',
        '253 3 dm-3 600 0 48100 200 700 0 56000 300 0 400 500 0 0 0 0 0 0',
      ].join('\n'),
    );
    // Four seconds, not the configured interval: speeds are per measured elapsed time.
    clock.now = 4_000;
    const sample = await c.collect();
    expect(sample.disk.map((d) => [d.path, d.readSpeed, d.writeSpeed, d.usedPercent])).toEqual([
      ['/', (10_000 * 512) / 4, (20_000 * 512) / 4, 25], // dm-0 (rl-root): 1,280,000 and 2,560,000 B/s
      ['/boot', 0, 0, 25], // nvme0n1p2
      ['/boot/efi', 0, 0, 25], // nvme0n1p1
      ['/home', 0, 0, 25], // dm-2
      ['/srv/backup', (100 * 512) / 4, 0, 25], // btrfs 0:45 -> /dev/mapper/vg1-backup -> dm-3; the snapshot subvolume is the same device
      ['/var/lib/data', 0, (100_000 * 512) / 4, 25], // nvme1n1p1: 12,800,000 B/s
    ]);
    // stat did not move: no time passed, so 0 % and no modes; loadavg 1.00 0.75 0.50.
    expect(sample.cpu).toEqual({ percent: 0, cores: 2, load1: 1, load5: 0.75, load15: 0.5, perCore: [0, 0] });
    // MemTotal 3885532 kB, MemAvailable 2953276 kB.
    expect(sample.memory.total).toBe(3_885_532 * 1024);
    expect(sample.memory.used).toBe((3_885_532 - 2_953_276) * 1024);
    expect(sample.memory.usedPercent).toBe(23.99); // 932256 / 3885532
    // Swap on LVM: SwapTotal 2097148 kB, SwapFree 1572860 kB: 524288 kB (512 MiB) used.
    expect([sample.memory.swapTotal, sample.memory.swapUsed]).toEqual([2_097_148 * 1024, 512 * MiB]);
    // No hostPID: /proc/self/net's sockets (TCP 6 + TCP6 1, UDP 2 + 0, CurrEstab 4) and the pod's processes.
    expect(sample.connections).toEqual({ tcp: 7, tcpEstablished: 4, udp: 2 });
    // An ARM board's thermal zone, its critical trip point (trip_point_1) as the critical level.
    expect(sample.temperatures).toEqual([
      { sensor: 'cpu-thermal thermal_zone0', celsius: 45.123, criticalCelsius: 95 },
    ]);
    // /proc/1 is not there: /proc/self's view; no IPv4 default route: the IPv6 one.
    expect(sample.network).toMatchObject({
      interfaceName: 'ens5',
      bytesRecv: 123_456_789,
      bytesSent: 98_765_432,
    });
    expect(sample.system).toEqual({
      platform: 'rocky',
      kernel: '5.14.0-362.8.1.el9_3.aarch64',
      uptime: 12345,
      processes: 2, // /proc/1 and /proc/23; this stat has no btime
    });
  });
});

describe('bare metal with hwmon and thermal zones (CentOS 7, kernel 3.10)', () => {
  it('reads every sensor once found, swap, 14-field diskstats with an io_ticks wrap, no sockstat6', async () => {
    const tree = copyFixture('centos7-baremetal');
    cleanups.push(tree.remove);
    const paths = fixturePaths('centos7-baremetal', {
      proc: join(tree.dir, 'proc'),
      sys: join(tree.dir, 'sys'),
    });
    const clock = { now: 0 };
    const { collector: c, lines } = collector(
      paths,
      statfsTable({ '/hostroot/': usage(40 * GiB, 50 * GiB, 100 * GiB), '/hostroot/boot': usage(GiB, GiB) }),
      clock,
    );
    const first = await c.collect();
    expect(first.temperatures).toEqual([
      { sensor: 'acpitz temp1', celsius: 27.8, criticalCelsius: 119 },
      { sensor: 'coretemp Package id 0', celsius: 54, criticalCelsius: 100 },
      { sensor: 'coretemp Core 0', celsius: 51, criticalCelsius: 100 },
      { sensor: 'coretemp Core 1', celsius: 53, criticalCelsius: 100 }, // temp10 after temp2
      { sensor: 'nvme Composite', celsius: 38.85, criticalCelsius: 84.85 }, // temp2_input is empty: left out
      // Sensors under device/ (old kernels); -128 and 127 are what the chip says; 99999.999 is not a temperature.
      { sensor: 'it8728 temp1', celsius: 35 },
      { sensor: 'it8728 temp2', celsius: -128 },
      { sensor: 'it8728 temp3', celsius: 127 },
      // thermal_zone0 (acpitz) is the hwmon0 chip already; x86_pkg_temp has no hwmon twin and no critical trip.
      { sensor: 'x86_pkg_temp thermal_zone1', celsius: 55 },
    ]);
    // Swap on a partition: 8388604 kB, 8126460 kB free: 262144 kB (256 MiB) used.
    expect(first.memory).toMatchObject({ swapTotal: 8_388_604 * 1024, swapUsed: 256 * MiB });
    // No sockstat6 (IPv6 off): TCP 25, UDP 7, CurrEstab 18.
    expect(first.connections).toEqual({ tcp: 25, tcpEstablished: 18, udp: 7 });
    expect(first.system).toMatchObject({ platform: 'centos', processes: 6, bootTime: 1_696_000_000 });
    // em1 and em2; lo and libvirt's virbr0 are left out.
    expect(first.network.interfaces?.map((i) => i.name)).toEqual(['em1', 'em2']);

    // Five seconds later: sda3's io_ticks passed 2^32 ms (4294966000 -> 3000: 1296 + 3000 = 4296 ms busy of
    // 5000); sda1's went from 90 to 1090; the hwmon files change, the sensors are not searched again.
    writeFileSync(
      join(tree.dir, 'proc/diskstats'),
      '   8       1 sda1 300 0 6000 100 10 0 80 5 0 1090 105\n' +
        '   8       3 sda3 99000 2000 7990000 49600 199990 9000 15999920 89995 0 3000 139595\n',
    );
    writeFileSync(join(tree.dir, 'sys/class/hwmon/hwmon1/temp1_input'), '61500\n');
    mkdirSync(join(tree.dir, 'sys/class/hwmon/hwmon9'));
    writeFileSync(join(tree.dir, 'sys/class/hwmon/hwmon9/temp1_input'), '20000\n');
    clock.now = 5_000;
    const sample = await c.collect();
    expect(sample.disk.map((d) => [d.path, d.total, d.usedPercent, d.ioUtilPercent])).toEqual([
      ['/', 100 * GiB, 44.44, 85.92], // 40 / 90
      ['/boot', 2 * GiB, 50, 20], // 1000 ms of 5000
    ]);
    expect(sample.temperatures?.[1]).toEqual({
      sensor: 'coretemp Package id 0',
      celsius: 61.5,
      criticalCelsius: 100,
    });
    expect(sample.temperatures).toHaveLength(9);
    // Of 4 cores at 0 ticks more: the last shares (0 %) stand.
    expect(sample.cpu.perCore).toEqual([0, 0, 0, 0]);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  });
});

describe('facts that change with a reboot at most', () => {
  it('reads the platform and kernel at the first cycle and then every 60th', async () => {
    const tree = copyFixture('ubuntu-22.04');
    cleanups.push(tree.remove);
    const paths = fixturePaths('ubuntu-22.04', { proc: join(tree.dir, 'proc'), etc: join(tree.dir, 'etc') });
    const { collector: c } = collector(paths, statfsTable({}), { now: 0 });
    expect((await c.collect()).system.kernel).toBe('5.15.0-91-generic');
    writeFileSync(join(tree.dir, 'proc/sys/kernel/osrelease'), '6.8.0-1-generic\n');
    writeFileSync(join(tree.dir, 'etc/os-release'), 'ID=debian\n');
    for (let i = 1; i < 60; i++) expect((await c.collect()).system.kernel).toBe('5.15.0-91-generic');
    const sixtieth = await c.collect();
    expect([sixtieth.system.kernel, sixtieth.system.platform]).toEqual(['6.8.0-1-generic', 'debian']);
  });
});

describe('failures', () => {
  it('a statfs that hangs costs at most its timeout, is not asked again while pending, and is logged once', async () => {
    let hungCalls = 0;
    const statfs = new BoundedStatfs(50, (path) => {
      if (path === '/hostroot/boot/efi') {
        hungCalls++;
        return new Promise<FsUsage>(() => {}); // a dead NFS server or stuck FUSE daemon never answers
      }
      return Promise.resolve(usage(GiB, GiB));
    });
    const { collector: c, lines } = collector(fixturePaths('ubuntu-22.04'), statfs, { now: 0 });
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const sample = await c.collect();
      const took = performance.now() - started;
      expect(sample.disk.map((d) => d.path)).toEqual(['/']);
      expect(sample.memory.total).toBeGreaterThan(0);
      // Bounded by the timeout, not by the hung call (which never ends); generous margin for a busy machine.
      expect(took).toBeLessThan(50 + 2_000);
    }
    expect(hungCalls).toBe(1);
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ part: 'statfs /boot/efi' });
    expect(String(warnings[0]?.err)).toContain('did not answer within 50 ms');
  });

  it('a collector that throws leaves the rest of the report, is logged once, and its recovery once', async () => {
    const tree = copyFixture('ubuntu-22.04');
    cleanups.push(tree.remove);
    const paths = fixturePaths('ubuntu-22.04', { proc: join(tree.dir, 'proc'), etc: join(tree.dir, 'etc') });
    const { collector: c, lines } = collector(paths, statfsTable({ '/hostroot/': usage(GiB, GiB) }), {
      now: 0,
    });
    rmSync(join(tree.dir, 'proc/meminfo'));
    writeFileSync(join(tree.dir, 'proc/uptime'), 'garbage\n');
    for (let i = 0; i < 5; i++) {
      const sample = await c.collect();
      expect(sample.memory).toEqual({ total: 0, used: 0, available: 0, usedPercent: 0 });
      expect(sample.system.uptime).toBe(0);
      expect(sample.cpu.cores).toBe(4);
      expect(sample.network.interfaceName).toBe('ens5');
      expect(sample.system.platform).toBe('ubuntu');
      const report = buildReport(
        { serverId: 'n', serverName: 'n', hostname: 'n', cpuModel: '', arch: 'amd64' },
        sample,
        1,
      );
      expect(validateServerInfo(report)).toMatchObject({ ok: true });
    }
    const failed = lines.filter((l) => l.level === 40).map((l) => l.part);
    expect(failed.sort()).toEqual(['memory', 'statfs /boot/efi', 'uptime']);
    expect(lines.find((l) => l.part === 'memory')?.err).toContain('ENOENT');

    writeFileSync(join(tree.dir, 'proc/meminfo'), 'MemTotal: 1000 kB\nMemAvailable: 250 kB\n');
    const recovered = await c.collect();
    expect(recovered.memory).toEqual({
      total: 1_024_000,
      available: 256_000,
      used: 768_000,
      usedPercent: 75,
    });
    await c.collect();
    expect(lines.filter((l) => l.msg === 'collection recovered').map((l) => l.part)).toEqual(['memory']);
  });
});
