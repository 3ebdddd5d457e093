import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { repoRoot } from './paths';

/** True when the run must not skip anything (.ci/run sets CI=true). */
export const inCI = process.env.CI === 'true';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds a program in .cache/tools/bin (the pinned Go-built tools of scripts/install-tools.sh, which win over an
 * older copy on PATH such as Debian's kubectl), then on PATH.
 * Returns undefined when it is missing, so the caller can skip with `describe.skipIf(!tool)`; under CI=true a
 * missing tool throws instead, which fails the test file.
 */
export function findTool(name: string): string | undefined {
  const dirs = [join(repoRoot, '.cache/tools/bin'), ...(process.env.PATH ?? '').split(delimiter)];
  const found = dirs.map((dir) => join(dir, name)).find(executable);
  if (!found) {
    const message = `${name} was not found on PATH or in .cache/tools/bin; .ci/run installs it`;
    if (inCI) throw new Error(`${message} (CI=true: a missing tool is a failure)`);
    console.warn(`skipping tests that need ${name}: ${message}`);
  }
  return found;
}
