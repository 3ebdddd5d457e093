import { afterEach, describe, expect, it, vi } from 'vitest';
import { sweepEvery } from './sweep-timer';

describe('sweepEvery', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('skips one turn after the timer fired late, never two in a row', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let now = 0;
    const tick = (ms: number) => {
      now += ms;
      vi.advanceTimersByTime(ms);
    };
    let sweeps = 0;
    const stalls: number[] = [];
    const timer = sweepEvery(
      1_000,
      () => sweeps++,
      (late) => stalls.push(late),
      () => now,
    );
    tick(1_000);
    tick(1_000);
    expect(sweeps).toBe(2);
    // A stall: 10 s pass while no timer could run, then the timer fires once.
    now += 10_000;
    tick(1_000);
    expect(sweeps).toBe(2);
    expect(stalls).toEqual([10_000]);
    tick(1_000);
    expect(sweeps).toBe(3);
    // Late twice in a row: the second time it sweeps anyway.
    now += 5_000;
    tick(1_000);
    now += 5_000;
    tick(1_000);
    expect(sweeps).toBe(4);
    expect(stalls).toHaveLength(2);
    clearInterval(timer);
  });
});
