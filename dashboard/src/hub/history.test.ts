import { HISTORY_VALUE_LIMIT, type HistoryPoint } from '@sss/protocol';
import { describe, expect, it } from 'vitest';
import { HistoryRing } from './history';

const point = (n: number): HistoryPoint => ({
  cpu: n,
  memory: n + 1,
  netIn: n + 2,
  netOut: n + 3,
  diskRead: n + 4,
  diskWrite: n + 5,
  load: n + 6,
});

describe('HistoryRing', () => {
  it('returns what it holds, oldest first', () => {
    const ring = new HistoryRing(4);
    ring.push(10, point(1));
    ring.push(11, point(2));
    expect(ring.toJSON('a', 5)).toEqual({
      serverId: 'a',
      interval: 5,
      t: [10, 11],
      cpu: [1, 2],
      memory: [2, 3],
      netIn: [3, 4],
      netOut: [4, 5],
      diskRead: [5, 6],
      diskWrite: [6, 7],
      load: [7, 8],
    });
  });

  it('keeps only the newest `capacity` points once full', () => {
    const ring = new HistoryRing(3);
    for (let i = 1; i <= 7; i++) ring.push(i, point(i * 10));
    expect(ring.length).toBe(3);
    const json = ring.toJSON('a', 5);
    expect(json.t).toEqual([5, 6, 7]);
    expect(json.cpu).toEqual([50, 60, 70]);
  });

  it('limits to the newest points', () => {
    const ring = new HistoryRing(5);
    for (let i = 1; i <= 7; i++) ring.push(i, point(i));
    expect(ring.toJSON('a', 5, 2).t).toEqual([6, 7]);
    expect(ring.toJSON('a', 5, 100).t).toEqual([3, 4, 5, 6, 7]);
  });

  it('costs 8 + 7 x 4 bytes per point, allocated up front', () => {
    expect(HistoryRing.bytesPerServer(720)).toBe(25_920);
  });

  it('returns float32-stored values as the decimals that were reported', () => {
    const ring = new HistoryRing(2);
    ring.push(1_700_000_000.123, {
      cpu: 45.2,
      memory: 99.99,
      netIn: 1048576.5,
      netOut: 0.1,
      diskRead: 0,
      diskWrite: 3,
      load: 1.5,
    });
    expect(ring.toJSON('a', 5)).toMatchObject({
      t: [1_700_000_000.123],
      cpu: [45.2],
      memory: [99.99],
      netOut: [0.1],
    });
    expect(ring.toJSON('a', 5).netIn).toEqual([1048576.5]);
  });

  it('answers null where the agent did not report an optional series', () => {
    const ring = new HistoryRing(2);
    ring.push(1, { ...point(1), load: null });
    ring.push(2, point(2));
    expect(ring.toJSON('a', 5).load).toEqual([null, 8]);
  });

  it('keeps values beyond float32 finite: clamped to its range, NaN as 0', () => {
    const ring = new HistoryRing(1);
    ring.push(1, {
      ...point(1),
      netIn: 1e300,
      netOut: -1e300,
      diskRead: Number.POSITIVE_INFINITY,
      cpu: Number.NaN,
    });
    const json = ring.toJSON('a', 5);
    for (const v of [json.netIn[0], json.netOut[0], json.diskRead[0], json.cpu[0]])
      expect(Number.isFinite(v)).toBe(true);
    expect(json.netIn[0]).toBeCloseTo(HISTORY_VALUE_LIMIT, -30);
    expect(json.netOut[0]).toBeCloseTo(-HISTORY_VALUE_LIMIT, -30);
    expect(json.cpu[0]).toBe(0);
  });
});
