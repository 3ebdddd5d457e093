import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCpuinfoModel, readCpuModel } from './cpu-model';
import { captureLog, fixturePaths } from './testing/support';

/** Live children of this process (any thread can be a parent). */
function children(): string[] {
  return readdirSync(`/proc/${process.pid}/task`).flatMap((tid) =>
    readFileSync(`/proc/${process.pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean),
  );
}

describe('cpu model', () => {
  it("is cpuinfo's model name where there is one, as the original agent reported it", async () => {
    const { log } = captureLog();
    expect(await readCpuModel(fixturePaths('ubuntu-22.04').proc, log)).toBe(
      'Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz',
    );
    expect(parseCpuinfoModel('processor\t: 0\nCPU part\t: 0xd0c\n')).toBeUndefined();
  });

  it('asks systeminformation where cpuinfo has none (ARM), which leaves no process or timer behind', async () => {
    const { log, lines } = captureLog();
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    // The fixture's cpuinfo is an ARM one; systeminformation then describes this machine's CPU via lscpu.
    const model = await readCpuModel(fixturePaths('nvme-lvm-arm64').proc, log);
    expect(model).not.toBe('');
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    // It answers while one of its lscpu runs may still be finishing; a moment later nothing of it is left.
    const running = () => children().length > 0 || process.getActiveResourcesInfo().includes('ProcessWrap');
    const deadline = performance.now() + 5_000;
    while (running() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(children()).toEqual([]);
    const resources = process.getActiveResourcesInfo();
    expect(resources.filter((r) => r === 'ProcessWrap')).toEqual([]);
    expect(resources.filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(timersBefore);
  });
});
