import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports';
import { Program } from './processes';

/** A real Prometheus (Debian's) on a free loopback port, its configuration and data in `dir`. */
export async function startPrometheus(
  binary: string,
  dir: string,
  config: readonly string[],
): Promise<{ program: Program; base: string }> {
  const port = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), config.join('\n'));
  const child = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return { program: new Program('prometheus', child), base: `http://127.0.0.1:${port}` };
}
