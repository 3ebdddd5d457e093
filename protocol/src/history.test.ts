import { describe, expect, it } from 'vitest';
import { seedExample } from './fixtures';
import { historyPointOf } from './history';

describe('historyPointOf', () => {
  it('takes percentages and speeds, summing disk speeds over filesystems', () => {
    const info = seedExample();
    info.disk.push({
      ...info.disk[0],
      path: '/data',
      readSpeed: 100,
      writeSpeed: 200,
    } as (typeof info.disk)[0]);
    expect(historyPointOf(info)).toEqual({
      cpu: 45.2,
      memory: 50,
      netIn: 1048576,
      netOut: 524288,
      diskRead: 1048576 + 100,
      diskWrite: 524288 + 200,
      load: null,
    });
    expect(historyPointOf({ ...info, cpu: { ...info.cpu, load1: 0.42 } }).load).toBe(0.42);
  });
});
