import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuPercent, parseProcStat } from './cpu';
import { parseDiskstats } from './diskstats';
import { parseMeminfo } from './memory';
import { defaultMountFilter, parseMountinfo, selectMounts } from './mounts';
import { busiestInterface, defaultRouteInterface, defaultRouteInterface6, parseNetDev } from './network';
import { rate } from './rate';
import { goArch, parseOsReleaseId, parseUptime, readOsRelease } from './system';

describe('/proc/stat', () => {
  it('adds the first eight fields (guest is already in user) and counts cpuN lines', () => {
    const stat = parseProcStat(
      'cpu  1 2 3 4 5 6 7 8 900 900\ncpu0 1 2 3 4 5 6 7 8 0 0\ncpu1 0 0 0 0\nintr 5\n',
    );
    expect(stat).toEqual({ aggregate: { total: 36, busy: 36 - 4 - 5 }, cores: 2 });
  });

  it('accepts the 4-field line of very old kernels and rejects a file without the aggregate line', () => {
    expect(parseProcStat('cpu 10 0 10 80\ncpu0 10 0 10 80\n').aggregate).toEqual({ total: 100, busy: 20 });
    expect(() => parseProcStat('intr 1\n')).toThrow(/no aggregate "cpu" line/);
  });

  it('skips a sample whose counters went backwards or did not move, and clamps to 0-100', () => {
    expect(cpuPercent({ total: 100, busy: 50 }, { total: 90, busy: 40 })).toBeUndefined();
    expect(cpuPercent({ total: 100, busy: 50 }, { total: 100, busy: 50 })).toBeUndefined();
    expect(cpuPercent({ total: 100, busy: 50 }, { total: 200, busy: 49 })).toBeUndefined();
    // iowait going backwards (a known kernel quirk) can make busy outgrow total; the result stays within 100.
    expect(cpuPercent({ total: 100, busy: 50 }, { total: 110, busy: 70 })).toBe(100);
    expect(cpuPercent({ total: 100, busy: 50 }, { total: 300, busy: 100 })).toBe(25);
  });
});

describe('/proc/meminfo', () => {
  it('falls back to free + buffers + cached on kernels without MemAvailable (before 3.14)', () => {
    const m = parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 350 kB\n');
    expect(m).toEqual({ total: 1_024_000, available: 512_000, used: 512_000, usedPercent: 50 });
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
      { name: 'nvme0n1p1', device: '259:1', readBytes: 51_200, writtenBytes: 153_600 },
      { name: 'sda', device: '8:0', readBytes: 1536, writtenBytes: 3584 },
    ]);
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
