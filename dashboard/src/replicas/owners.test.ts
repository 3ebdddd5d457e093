import { describe, expect, it } from 'vitest';
import { Owners } from './owners';
import { retryDelay } from './redis-bus';

describe('Owners', () => {
  it('the highest generation owns a server; older connections are superseded', () => {
    const owners = new Owners();
    expect(owners.claim('web-1', 'a', 3)).toBe(true);
    expect(owners.superseded('web-1', 3)).toBe(false);
    expect(owners.claim('web-1', 'b', 4)).toBe(true);
    expect(owners.superseded('web-1', 3)).toBe(true);
    expect(owners.superseded('web-1', 4)).toBe(false);
    // A late claim of an older connection changes nothing.
    expect(owners.claim('web-1', 'a', 3)).toBe(false);
    expect(owners.superseded('web-1', 4)).toBe(false);
  });

  it('an offline applies unless a newer connection is known', () => {
    const owners = new Owners();
    expect(owners.offlineApplies('web-1', 0)).toBe(true);
    owners.claim('web-1', 'a', 5);
    expect(owners.offlineApplies('web-1', 5)).toBe(true);
    expect(owners.offlineApplies('web-1', 0)).toBe(false);
    owners.claim('web-1', 'b', 6);
    expect(owners.offlineApplies('web-1', 5)).toBe(false);
    expect(owners.ownerOf('web-1')).toBe('b');
    expect(owners.generationOf('web-1')).toBe(6);
    owners.forget('web-1');
    expect(owners.generationOf('web-1')).toBe(0);
    expect(owners.offlineApplies('web-1', 5)).toBe(true);
    expect(owners.ownerOf('web-1')).toBeUndefined();
  });
});

describe('retryDelay', () => {
  it('doubles from 100 ms to at most 2 s, with up to 20% jitter', () => {
    expect([0, 1, 2, 5, 6, 100].map((n) => retryDelay(n, () => 0))).toEqual([
      100, 200, 400, 2000, 2000, 2000,
    ]);
    expect(retryDelay(100, () => 1)).toBe(2400);
  });
});
