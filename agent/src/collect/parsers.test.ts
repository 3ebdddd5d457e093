import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CpuTimes, cpuModes, cpuPercent, parseProcStat } from './cpu';
import { ioUtilPercent, parseDiskstats } from './diskstats';
import { parseMeminfo } from './memory';
import { defaultMountFilter, parseMountinfo, selectMounts } from './mounts';
import {
  busiestInterface,
  DEFAULT_INTERFACE_EXCLUDE,
  defaultRouteInterface,
  defaultRouteInterface6,
  parseNetDev,
  selectInterfaces,
} from './network';
import { rate } from './rate';
import { discoverSensors, millidegrees, readSensors } from './sensors';
import { connections, parseSnmpCurrEstab, parseSockstat } from './sockets';
import { countProcesses, goArch, parseLoadavg, parseOsReleaseId, parseUptime, readOsRelease } from './system';

/** CpuTimes with only total and busy mattering (as all idle). */
const times = (total: number, busy: number): CpuTimes => ({ total, busy, ticks: [busy, 0, 0, total - busy] });

describe('/proc/stat', () => {
  it('adds the first eight fields (guest is already in user) and counts cpuN lines', () => {
    const stat = parseProcStat(
      'cpu  1 2 3 4 5 6 7 8 900 900\ncpu0 1 2 3 4 5 6 7 8 0 0\ncpu1 0 0 0 0\nintr 5\nbtime 1700000000\n',
    );
    expect(stat.aggregate).toEqual({ total: 36, busy: 36 - 4 - 5, ticks: [1, 2, 3, 4, 5, 6, 7, 8] });
    expect(stat.cores).toBe(2);
    expect([...stat.perCore.keys()]).toEqual(['cpu0', 'cpu1']);
    expect(stat.perCore.get('cpu1')).toEqual({ total: 0, busy: 0, ticks: [0, 0, 0, 0, 0, 0, 0, 0] });
    expect(stat.bootTime).toBe(1_700_000_000);
  });

  it('accepts the 4-field line of very old kernels and rejects a file without the aggregate line', () => {
    const old = parseProcStat('cpu 10 0 10 80\ncpu0 10 0 10 80\n');
    expect(old.aggregate).toEqual({ total: 100, busy: 20, ticks: [10, 0, 10, 80, 0, 0, 0, 0] });
    expect(old.bootTime).toBeUndefined();
    expect(() => parseProcStat('intr 1\n')).toThrow(/no aggregate "cpu" line/);
  });

  it('shares time out by mode; skips a sample where a mode went backwards', () => {
    const before = parseProcStat('cpu  100 0 50 800 50 0 0 0\n').aggregate;
    // +300 user, +10 nice, +100 system, +500 idle, +40 iowait, +10 irq, +30 softirq, +10 steal = 1000.
    const after = parseProcStat('cpu  400 10 150 1300 90 10 30 10\n').aggregate;
    expect(cpuModes(before, after)).toEqual({
      user: 30,
      nice: 1,
      system: 10,
      iowait: 4,
      irq: 1,
      softirq: 3,
      steal: 1,
    });
    expect(cpuModes(after, before)).toBeUndefined();
    const iowaitBack = parseProcStat('cpu  500 10 150 1400 80 10 30 10\n').aggregate;
    expect(cpuModes(after, iowaitBack)).toBeUndefined();
  });

  it('skips a sample whose counters went backwards or did not move, and clamps to 0-100', () => {
    expect(cpuPercent(times(100, 50), times(90, 40))).toBeUndefined();
    expect(cpuPercent(times(100, 50), times(100, 50))).toBeUndefined();
    expect(cpuPercent(times(100, 50), times(200, 49))).toBeUndefined();
    // iowait going backwards (a known kernel quirk) can make busy outgrow total; the result stays within 100.
    expect(cpuPercent(times(100, 50), times(110, 70))).toBe(100);
    expect(cpuPercent(times(100, 50), times(300, 100))).toBe(25);
  });
});

describe('/proc/meminfo', () => {
  it('falls back to free + buffers + cached on kernels without MemAvailable (before 3.14)', () => {
    const m = parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 350 kB\n');
    // No swap lines at all (a stripped-down kernel): no swap fields; Cached is still the page cache.
    expect(m).toEqual({
      total: 1_024_000,
      available: 512_000,
      used: 512_000,
      usedPercent: 50,
      cached: 358_400,
    });
  });

  it('reads swap as SwapTotal and SwapTotal - SwapFree, 0 and 0 without swap', () => {
    const swap = parseMeminfo(
      'MemTotal: 1000 kB\nMemAvailable: 500 kB\nSwapTotal: 2048 kB\nSwapFree: 512 kB\n',
    );
    expect([swap.swapTotal, swap.swapUsed, swap.cached]).toEqual([2_097_152, 1_572_864, undefined]);
    const none = parseMeminfo('MemTotal: 1000 kB\nMemAvailable: 500 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n');
    expect([none.swapTotal, none.swapUsed]).toEqual([0, 0]);
  });

  it('fails without MemTotal', () => {
    expect(() => parseMeminfo('MemFree: 1 kB\n')).toThrow(/MemTotal/);
  });
});

describe('mountinfo', () => {
  it('decodes octal escapes and reads fields after the optional-field separator', () => {
    const [m] = parseMountinfo(
      '36 35 98:0 /a\\040b /mnt/with\\040space\\011tab rw,noatime master:1 shared:2 - ext4 /dev/sd\\134x rw\n',
    );
    expect(m).toEqual({
      device: '98:0',
      root: '/a b',
      mountPoint: '/mnt/with space\ttab',
      fsType: 'ext4',
      source: '/dev/sd\\x',
    });
  });

  it('excludes by extra patterns from the config and reports exactly the listed mount points when given', () => {
    const mounts = parseMountinfo(
      [
        '1 0 8:1 / / rw - ext4 /dev/sda1 rw',
        '2 1 8:2 / /scratch rw - ext4 /dev/sda2 rw',
        '3 1 0:40 / /z rw - zfs tank/z rw',
      ].join('\n'),
    );
    const paths = (filter: Parameters<typeof selectMounts>[1]) =>
      selectMounts(mounts, filter).map((m) => m.mountPoint);
    expect(paths(defaultMountFilter())).toEqual(['/', '/scratch', '/z']);
    expect(
      paths(defaultMountFilter({ excludeMountPoints: [/^\/scratch/], excludeFsTypes: [/^zfs$/] })),
    ).toEqual(['/']);
    expect(paths(defaultMountFilter({ mountPoints: ['/z'] }))).toEqual(['/z']);
  });
});

describe('diskstats', () => {
  it('turns 512-byte sectors into bytes, with or without the discard and flush columns', () => {
    expect(
      parseDiskstats(
        ' 259 1 nvme0n1p1 1 2 100 4 5 6 300 8 9 10 11\n 8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n',
      ),
    ).toEqual([
      { name: 'nvme0n1p1', device: '259:1', readBytes: 51_200, writtenBytes: 153_600, ioTicks: 10 },
      { name: 'sda', device: '8:0', readBytes: 1536, writtenBytes: 3584, ioTicks: 10 },
    ]);
    // The 4-field partition lines of 2.6 kernels carry no io_ticks.
    expect(parseDiskstats('8 1 sda1 10 20 30 40\n')).toEqual([]);
    expect(parseDiskstats('8 1 sda1 1 2 3 4 5 6 7\n')[0]?.ioTicks).toBeUndefined();
  });

  it('io_ticks: busy milliseconds per elapsed time, with the 32-bit wrap undone', () => {
    expect(ioUtilPercent(undefined, 500, 5)).toBe(0);
    expect(ioUtilPercent(1000, 3500, 5)).toBe(50); // 2500 ms busy in 5 s
    expect(ioUtilPercent(1000, 7000, 5)).toBe(100); // clamped
    // 4294967000 -> 4000: 296 ms to the wrap + 4000 after it = 4296 ms of 5000.
    expect(ioUtilPercent(4_294_967_000, 4000, 5)).toBe(85.92);
    // Backwards by more than a wrap explains (a re-attached device): 0, never negative.
    expect(ioUtilPercent(2_000_000, 1000, 5)).toBe(0);
    expect(ioUtilPercent(2 ** 40, 1000, 5)).toBe(0);
  });
});

describe('network', () => {
  it('parses net/dev with names glued to the counters', () => {
    expect(parseNetDev('Inter-|\n face |\nveth12345678:1 2 3 4 5 6 7 8 9 10\n')).toEqual([
      { name: 'veth12345678', bytesRecv: 1, bytesSent: 9 },
    ]);
  });

  it('picks the lowest-metric default route that is up', () => {
    const route = [
      'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask',
      'wg0\t00000000\t00000000\t0000\t0\t0\t0\t00000000', // not up
      'eth1\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000',
      'eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000',
      'eth2\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF', // not a default route
    ].join('\n');
    expect(defaultRouteInterface(route)).toBe('eth0');
    expect(defaultRouteInterface('Iface\tDestination\n')).toBeUndefined();
    expect(defaultRouteInterface6('')).toBeUndefined();
  });

  it('without any default route, takes the busiest interface other than loopback', () => {
    expect(
      busiestInterface([
        { name: 'lo', bytesRecv: 9e9, bytesSent: 9e9 },
        { name: 'eth0', bytesRecv: 10, bytesSent: 10 },
        { name: 'eth1', bytesRecv: 30, bytesSent: 0 },
      ])?.name,
    ).toBe('eth1');
  });
});

describe('network.interfaces selection', () => {
  const all = ['lo', 'eth0', 'ens5', 'eno1', 'bond0', 'wg0', 'enp3s0f1', 'idle0'].map((name) => ({
    name,
    bytesRecv: name === 'idle0' ? 0 : 1,
    bytesSent: 0,
  }));
  const names = (list: { name: string }[]) => list.map((i) => i.name);

  it('leaves out container networking, tunnels and loopback by default', () => {
    for (const name of [
      'lo',
      'veth1a2b3c4d',
      'cni0',
      'cali8d1f2c3a4b5',
      'tunl0',
      'vxlan.calico',
      'flannel.1',
      'cilium_host',
      'lxc12ab34cd56ef',
      'weave',
      'kube-ipvs0',
      'nodelocaldns',
      'docker0',
      'br-0123456789ab',
      'virbr0',
      'eni0123456789a',
      'gke0123456789a',
      'genev_sys_6081',
      'ovn-k8s-mp0',
    ]) {
      expect(DEFAULT_INTERFACE_EXCLUDE.test(name), name).toBe(true);
    }
    for (const name of [
      'eth0',
      'ens5',
      'eno1',
      'enp3s0f1',
      'bond0',
      'wg0',
      'br0',
      'em1',
      'ib0',
      'bond0.100',
    ]) {
      expect(DEFAULT_INTERFACE_EXCLUDE.test(name), name).toBe(false);
    }
    // An interface that never carried a byte (down, unplugged) is left out too.
    expect(names(selectInterfaces(all, {}))).toEqual(['eth0', 'ens5', 'eno1', 'bond0', 'wg0', 'enp3s0f1']);
  });

  it('exclude adds to the defaults; include picks exactly what it matches', () => {
    expect(names(selectInterfaces(all, { exclude: /^(wg|bond)/ }))).toEqual([
      'eth0',
      'ens5',
      'eno1',
      'enp3s0f1',
    ]);
    expect(names(selectInterfaces(all, { include: /^(lo|idle0|eth0)$/ }))).toEqual(['lo', 'eth0', 'idle0']);
    expect(names(selectInterfaces(all, { include: /^e/, exclude: /^ens/ }))).toEqual([
      'eth0',
      'eno1',
      'enp3s0f1',
    ]);
  });
});

describe('sockets', () => {
  it('adds IPv4 and IPv6 inuse of sockstat; CurrEstab from snmp', () => {
    expect(
      parseSockstat('sockets: used 9\nTCP: inuse 12 orphan 0 tw 5 alloc 15 mem 3\nUDP: inuse 4 mem 2\n'),
    ).toEqual({
      tcp: 12,
      udp: 4,
    });
    expect(parseSockstat('TCP6: inuse 3\nUDP6: inuse 2\nUDPLITE6: inuse 9\n')).toEqual({ tcp: 3, udp: 2 });
    expect(() => parseSockstat('sockets: used 1\n')).toThrow(/no TCP or UDP/);
    const snmp = 'Tcp: RtoAlgorithm CurrEstab InSegs\nTcp: 1 9 100\nUdp: InDatagrams\nUdp: 5\n';
    expect(parseSnmpCurrEstab(snmp)).toBe(9);
    expect(() => parseSnmpCurrEstab('Udp: x\nUdp: 1\n')).toThrow(/CurrEstab/);
    // Without sockstat6 (IPv6 disabled) only IPv4 counts.
    expect(connections('TCP: inuse 5\nUDP: inuse 1\n', undefined, snmp)).toEqual({
      tcp: 5,
      tcpEstablished: 9,
      udp: 1,
    });
  });
});

describe('temperatures', () => {
  it('millidegrees to degrees; unreadable or absurd values are none', () => {
    expect(millidegrees('45123\n')).toBe(45.123);
    expect(millidegrees('-5000')).toBe(-5);
    expect(millidegrees('')).toBeUndefined();
    expect(millidegrees('N/A')).toBeUndefined();
    expect(millidegrees('99999999')).toBeUndefined();
    expect(millidegrees(undefined)).toBeUndefined();
  });

  it('names a second chip of the same kind apart (two NVMe drives)', async () => {
    const sys = mkdtempSync(join(tmpdir(), 'sss-hwmon-'));
    try {
      for (const [n, temp] of [
        [0, '31000'],
        [1, '42000'],
      ]) {
        const dir = join(sys, `class/hwmon/hwmon${n}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'name'), 'nvme\n');
        writeFileSync(join(dir, 'temp1_label'), 'Composite\n');
        writeFileSync(join(dir, 'temp1_input'), `${temp}\n`);
      }
      expect(await readSensors(await discoverSensors(sys))).toEqual([
        { sensor: 'nvme Composite', celsius: 31 },
        { sensor: 'nvme Composite #2', celsius: 42 },
      ]);
    } finally {
      rmSync(sys, { recursive: true, force: true });
    }
  });
});

describe('rates', () => {
  it('is per elapsed second, 0 without a baseline or after a reset, never negative', () => {
    expect(rate(undefined, 100, 5)).toBe(0);
    expect(rate(100, 1100, 4)).toBe(250);
    expect(rate(1100, 100, 5)).toBe(0);
    expect(rate(100, 200, 0)).toBe(0);
  });
});

describe('system facts', () => {
  it('reads os-release ID unquoted, or linux when absent', () => {
    expect(parseOsReleaseId('NAME="Rocky"\nID="rocky"\n')).toBe('rocky');
    expect(parseOsReleaseId("ID='arch'\n")).toBe('arch');
    expect(parseOsReleaseId('NAME=x\n')).toBe('linux');
  });

  it('never reads an absolute os-release link outside the host root, even when its target is missing there', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sss-root-'));
    try {
      mkdirSync(join(root, 'etc'));
      symlinkSync('/usr/lib/os-release', join(root, 'etc/os-release'));
      await expect(readOsRelease(join(root, 'etc'), root)).rejects.toThrow(/ENOENT/);
      mkdirSync(join(root, 'usr/lib'), { recursive: true });
      writeFileSync(join(root, 'usr/lib/os-release'), 'ID=talos\n');
      expect(parseOsReleaseId(await readOsRelease(join(root, 'etc'), root))).toBe('talos');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('load averages from loadavg; processes are the numeric entries of /proc', () => {
    expect(parseLoadavg('0.52 0.58 0.59 3/412 5678\n')).toEqual({ load1: 0.52, load5: 0.58, load15: 0.59 });
    expect(() => parseLoadavg('')).toThrow(/unreadable loadavg/);
    expect(countProcesses(['1', '2', '417', 'self', 'thread-self', 'stat', 'net', 'sys', '9999'])).toBe(4);
  });

  it('uptime in whole seconds; arch in Go spelling', () => {
    expect(parseUptime('350735.47 234388.90\n')).toBe(350735);
    expect(() => parseUptime('x')).toThrow(/unreadable uptime/);
    expect([goArch('x64'), goArch('arm64'), goArch('arm'), goArch('ia32'), goArch('s390x')]).toEqual([
      'amd64',
      'arm64',
      'arm',
      '386',
      's390x',
    ]);
  });
});
