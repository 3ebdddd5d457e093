import { describe, expect, it } from 'vitest';
import { append, type Columns, emptyColumns, prependHistory, type Sample } from './series';

const sample = (cpu: number): Sample => ({
  cpu,
  memory: 50,
  netIn: 1,
  netOut: 2,
  diskRead: 3,
  diskWrite: 4,
  load: null,
});

function history(ts: number[]): Columns {
  const cols = emptyColumns();
  for (const t of ts) append(cols, t, sample(t), 1_000);
  return cols;
}

describe('series', () => {
  it('appends newer points only (the offline message repeats the last report) and keeps the newest', () => {
    const cols = emptyColumns();
    expect(append(cols, 10, sample(1), 3)).toBe(true);
    expect(append(cols, 10, sample(2), 3)).toBe(false);
    expect(append(cols, 9, sample(2), 3)).toBe(false);
    for (const t of [11, 12, 13]) append(cols, t, sample(t), 3);
    expect(cols.t).toEqual([11, 12, 13]);
    expect(cols.cpu).toEqual([11, 12, 13]);
    expect(cols.diskWrite).toEqual([4, 4, 4]);
  });

  it('puts only the older history in front of live points', () => {
    const cols = history([20, 21]);
    prependHistory(cols, history([17, 18, 19, 20, 21]), 100);
    expect(cols.t).toEqual([17, 18, 19, 20, 21]);
    expect(cols.cpu).toEqual([17, 18, 19, 20, 21]);
  });

  it('takes all of the history when nothing arrived live, within capacity', () => {
    const cols = emptyColumns();
    prependHistory(cols, history([1, 2, 3, 4]), 3);
    expect(cols.t).toEqual([2, 3, 4]);
    expect(cols.memory).toEqual([50, 50, 50]);
  });
});
