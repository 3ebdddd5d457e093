import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';
import { AGENT_BACKOFF } from './constants';

describe('backoffDelay', () => {
  const noJitter = () => 0;

  it("follows the seed's schedule: 3 s, 3.6 s, 4.32 s", () => {
    expect(backoffDelay(0, AGENT_BACKOFF, noJitter)).toBe(3000);
    expect(backoffDelay(1, AGENT_BACKOFF, noJitter)).toBeCloseTo(3600, 6);
    expect(backoffDelay(2, AGENT_BACKOFF, noJitter)).toBeCloseTo(4320, 6);
  });

  it('is capped at 600 s', () => {
    expect(backoffDelay(30, AGENT_BACKOFF, noJitter)).toBe(600_000);
    expect(backoffDelay(1000, AGENT_BACKOFF, noJitter)).toBe(600_000);
  });

  it('jitter only shortens, by at most the policy share', () => {
    expect(backoffDelay(0, AGENT_BACKOFF, () => 1)).toBeCloseTo(2400, 6);
    expect(backoffDelay(30, AGENT_BACKOFF, () => 0.5)).toBeCloseTo(540_000, 6);
  });
});
