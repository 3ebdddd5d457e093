import { describe, expect, it } from 'vitest';
import { axisLabelKind, bandPath, linePath, runs } from './chart-paths';

const x = (i: number) => i * 10;
const y = (v: number) => 100 - v;

describe('chart paths', () => {
  it('breaks the line where the step is longer than the gap and at null values', () => {
    const t = [0, 60, 120, 600, 660, 720, 780];
    const values = [1, 2, 3, 4, null, 6, 7];
    expect(runs(t, values, 120)).toEqual([
      [0, 2],
      [3, 3],
      [5, 6],
    ]);
    expect(runs([], [], 10)).toEqual([]);
    expect(runs([0, 5], [null, null], 10)).toEqual([]);
  });

  it('draws one M per run and a lone point as a dot', () => {
    const values = [1, 2, 3, 4, null, 6, 7];
    const list = runs([0, 60, 120, 600, 660, 720, 780], values, 120);
    expect(linePath(list, values, x, y)).toBe(
      'M0.0 99.0L10.0 98.0L20.0 97.0M30.0 96.0h0M50.0 94.0L60.0 93.0',
    );
  });

  it('fills between the maximum and the value, run by run, skipping lone points', () => {
    const values = [1, 2, null, 5];
    const max = [3, 4, null, 9];
    const list = runs([0, 60, 120, 180], values, 120);
    expect(bandPath(list, values, max, x, y)).toBe('M0.0 97.0L10.0 96.0L10.0 98.0L0.0 99.0Z');
  });

  it('labels days over long spans and times over short ones', () => {
    expect(axisLabelKind(300)).toBe('seconds');
    expect(axisLabelKind(3_600)).toBe('time');
    expect(axisLabelKind(86_400)).toBe('time');
    expect(axisLabelKind(7 * 86_400)).toBe('date');
    expect(axisLabelKind(30 * 86_400)).toBe('date');
  });
});
