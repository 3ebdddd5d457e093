// Helpers for the agent's unit tests: fixture trees, a capturing logger, a controllable clock.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostPaths } from '../host';
import { createLogger, type Logger } from '../logger';

export const fixturesDir = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** A fixture tree laid out as /proc, /sys, /etc and / of a host. */
export function fixturePaths(name: string, layout: Partial<HostPaths> = {}): HostPaths {
  const base = join(fixturesDir, name);
  return {
    proc: join(base, 'proc'),
    sys: join(base, 'sys'),
    etc: join(base, 'etc'),
    root: '/hostroot',
    ...Object.fromEntries(Object.entries(layout).map(([k, v]) => [k, v.startsWith('/') ? v : join(base, v)])),
  };
}

/** A writable copy of a fixture tree, for tests that change files between samples. Call `remove()` after. */
export function copyFixture(name: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `sss-agent-${name}-`));
  cpSync(join(fixturesDir, name), dir, { recursive: true, verbatimSymlinks: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CapturedLog {
  log: Logger;
  lines: { level: number; msg: string; [key: string]: unknown }[];
}

export function captureLog(): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  const log = createLogger('debug', {}, (line) => void lines.push(JSON.parse(line)));
  return { log, lines };
}
