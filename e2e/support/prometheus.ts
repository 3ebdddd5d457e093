import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { portFromLog } from './ports';
import { Program } from './processes';

/** A real Prometheus (Debian's) on a loopback port it picks itself, its configuration and data in `dir`. */
export async function startPrometheus(
  binary: string,
  dir: string,
  config: readonly string[],
): Promise<{ program: Program; base: string }> {
  writeFileSync(join(dir, 'prometheus.yml'), config.join('\n'));
  const child = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--web.listen-address=127.0.0.1:0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const program = new Program('prometheus', child);
  return { program, base: `http://127.0.0.1:${await portFromLog(program)}` };
}
