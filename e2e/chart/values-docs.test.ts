// Every value in values.yaml has a comment above it, and the README's values table says what values.yaml says:
// the same settings, defaults and descriptions (the comments), so neither can drift from the other.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths';
import { keyComments, tableLines, type ValueRow, valueRows } from './values-table';

const START = '<!-- values-table:start -->';
const END = '<!-- values-table:end -->';

/** The README's table rows between the markers, cells trimmed (Biome pads them) and unescaped. */
function readmeRows(): ValueRow[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} ... ${END} section`);
  const lines = readme
    .slice(start + START.length, end)
    .split('\n')
    .filter((line) => line.startsWith('|'));
  return lines.slice(2).map((line) => {
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replace(/\\\|/g, '|'));
    const code = (cell = '') => cell.replace(/^`|`$/g, '');
    return { path: code(cells[0]), value: code(cells[1]), description: cells[2] ?? '' };
  });
}

describe('chart: values.yaml documentation', () => {
  it('has a comment above every value, nested ones and list items included', () => {
    const keys = keyComments();
    expect(keys.length).toBeGreaterThan(100);
    expect(keys.filter((k) => k.comment === '').map((k) => k.path)).toEqual([]);
  });

  it('matches the README values table row for row', () => {
    const expected = valueRows();
    const actual = readmeRows();
    const hint = `README.md's values table is out of date; put this between the markers:\n\n${tableLines(expected).join('\n')}\n`;
    expect(
      actual.map((r) => r.path),
      hint,
    ).toEqual(expected.map((r) => r.path));
    expect(actual, hint).toEqual(expected);
  });
});
