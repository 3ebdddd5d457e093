// The README's agent settings table must say what the code does: same variables, flags and defaults.
import { readFileSync } from 'node:fs';
import { flagOf } from '@sss/protocol';
import { expect, it } from 'vitest';
import { AGENT_SETTINGS } from './config';

it('README "Agent configuration" lists every setting with its flag and default', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const table = readme.slice(
    readme.indexOf('<!-- agent-settings:start -->'),
    readme.indexOf('<!-- agent-settings:end -->'),
  );
  const rows = table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split('|').map((cell) => cell.trim().replaceAll('`', '')));
  const documented = rows.map(([, env, flag]) => [env, flag]);
  const specs = Object.values(AGENT_SETTINGS);
  expect(documented).toEqual(specs.map((s) => [s.env, flagOf(s.env)]));
  for (const spec of specs) {
    const row = rows.find((r) => r[1] === spec.env);
    if (spec.fallback !== undefined) expect(row?.[3]).toBe(String(spec.fallback));
  }
});
