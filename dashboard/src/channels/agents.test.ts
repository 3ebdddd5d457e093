import { validateServerInfo } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import { describe, expect, it } from 'vitest';
import { sameJson } from './agents';

/** What the agent channel does: parse, validate, and compare what came in with what the validator kept. */
function keptAsSent(report: unknown): boolean {
  const parsed: unknown = JSON.parse(JSON.stringify(report));
  const result = validateServerInfo(parsed);
  if (!result.ok) throw new Error(result.message);
  return sameJson(parsed, result.value);
}

describe('sameJson', () => {
  it("holds for the seed's report, which the validator keeps as it is", () => {
    expect(keptAsSent(seedExample())).toBe(true);
  });

  it('fails when the validator dropped something: an unknown field, deep or not, a null, an empty optional string', () => {
    const seed = seedExample();
    expect(keptAsSent({ ...seed, extra: 1 })).toBe(false);
    expect(keptAsSent({ ...seed, cpu: { ...seed.cpu, extra: 'x' } })).toBe(false);
    expect(keptAsSent({ ...seed, group: '' })).toBe(false);
    expect(keptAsSent({ ...seed, group: null })).toBe(false);
  });

  it('compares values, arrays and shapes', () => {
    expect(sameJson({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [1] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(sameJson({ a: 1 }, { b: 1 })).toBe(false);
    expect(sameJson({ a: '1' }, { a: 1 })).toBe(false);
    expect(sameJson([1], { 0: 1 })).toBe(false);
    expect(sameJson({ 0: 1 }, [1])).toBe(false);
    expect(sameJson(null, {})).toBe(false);
  });
});
