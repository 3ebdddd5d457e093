// Acceptance: on this very machine the collector agrees with the tools an operator would use.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HOST_PATHS } from '../host';
import { captureLog } from '../testing/support';
import { HostCollector } from './collector';
import { FailureLog } from './failures';
import { defaultMountFilter } from './mounts';
import { BoundedStatfs } from './statfs';
import { goArch } from './system';

const sh = (script: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8' }).trim();

describe('this machine', () => {
  it('reports what /proc, uname, os-release and df say', async () => {
    const { log, lines } = captureLog();
    const collector = new HostCollector({
      paths: DEFAULT_HOST_PATHS,
      filter: defaultMountFilter(),
      statfs: new BoundedStatfs(2_000),
      failures: new FailureLog(log),
    });
    await collector.collect();
    const sample = await collector.collect();

    expect(sample.memory.total).toBe(Number(sh("awk '/^MemTotal:/ {print $2}' /proc/meminfo")) * 1024);
    expect(sample.cpu.cores).toBe(Number(sh("grep -c '^cpu[0-9]' /proc/stat")));
    expect(sample.system.kernel).toBe(sh('uname -r'));
    expect(sample.system.platform).toBe(sh('. /etc/os-release && echo "$ID"'));
    expect(sample.system.uptime).toBe(Math.floor(Number(sh("cut -d' ' -f1 /proc/uptime"))));
    const machine = sh('uname -m');
    expect(goArch(process.arch)).toBe({ x86_64: 'amd64', aarch64: 'arm64' }[machine] ?? machine);

    const root = sample.disk.find((d) => d.path === '/');
    expect(root).toBeDefined();
    const [dfSize, dfUsed, dfFree] = sh('df -B1 --output=size,used,avail / | tail -1')
      .split(/\s+/)
      .map(Number);
    // df's Size is blocks x bsize and does not move with writes.
    expect(root?.total).toBe(dfSize);
    // df and statfs read the same counters; allow for writes by others in between.
    expect(Math.abs((root?.used ?? 0) - (dfUsed ?? 0))).toBeLessThan(256 * 1024 ** 2);
    expect(Math.abs((root?.free ?? 0) - (dfFree ?? 0))).toBeLessThan(256 * 1024 ** 2);
    // The interface of the (first) IPv4 default route, as `ip route` would show it.
    const defaultRoute = sh('awk \'$2 == "00000000" && $8 == "00000000" {print $1; exit}\' /proc/net/route');
    expect(sample.network.interfaceName).toBe(defaultRoute);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  });

  it('reports the load, swap, per-core CPU, interfaces, boot time and sockets /proc shows', async () => {
    const { log, lines } = captureLog();
    const collector = new HostCollector({
      paths: DEFAULT_HOST_PATHS,
      filter: defaultMountFilter(),
      statfs: new BoundedStatfs(2_000),
      failures: new FailureLog(log),
    });
    await collector.collect();
    const sample = await collector.collect();
    const loadavg = sh('cat /proc/loadavg').split(' ').slice(0, 3).map(Number);
    // The load may move between the two reads; it is a 5-second average, so not by much.
    for (const [i, key] of (['load1', 'load5', 'load15'] as const).entries()) {
      expect(Math.abs((sample.cpu[key] ?? -1) - (loadavg[i] ?? 0))).toBeLessThan(0.5);
    }
    expect(sample.memory.swapTotal).toBe(Number(sh("awk '/^SwapTotal:/ {print $2}' /proc/meminfo")) * 1024);
    const swapFree = Number(sh("awk '/^SwapFree:/ {print $2}' /proc/meminfo")) * 1024;
    expect(
      Math.abs((sample.memory.swapUsed ?? -1) - ((sample.memory.swapTotal ?? 0) - swapFree)),
    ).toBeLessThan(64 * 1024 ** 2);
    expect(sample.cpu.perCore).toHaveLength(Number(sh("grep -c '^cpu[0-9]' /proc/stat")));
    for (const p of sample.cpu.perCore ?? []) expect(p).toBeGreaterThanOrEqual(0);
    expect(sample.system.bootTime).toBe(Number(sh("awk '/^btime/ {print $2}' /proc/stat")));
    // Every interface net/dev lists with traffic, lo and container networking aside, with its counters.
    const netDev = sh("tail -n +3 /proc/net/dev | tr -s ' :' ' ' | awk '{print $1, $2, $10}'")
      .split('\n')
      .map((l) => l.trim().split(' '))
      .filter(([name, rx, tx]) => name !== 'lo' && Number(rx) + Number(tx) > 0);
    const reported = sample.network.interfaces ?? [];
    for (const i of reported) {
      const row = netDev.find(([name]) => name === i.name);
      expect(row, i.name).toBeDefined();
      expect(i.bytesRecv).toBeLessThanOrEqual(Number(row?.[1]));
    }
    expect(reported.map((i) => i.name)).toContain(sample.network.interfaceName);
    const tcp = Number(sh("awk '/^TCP:/ {print $3}' /proc/net/sockstat"));
    expect(sample.connections?.tcp).toBeGreaterThanOrEqual(tcp > 0 ? 1 : 0);
    expect(sample.system.processes).toBeGreaterThan(0);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  });
});
