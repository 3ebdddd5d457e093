import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Logger } from 'pino';

/** How often a secret file is stat-ed for changes (a Kubernetes Secret volume swaps a symlink, so polling it is reliable). */
const WATCH_INTERVAL_MS = 2_000;

function readSecretFile(file: string): string {
  const secret = readFileSync(file, 'utf8').trim();
  if (!secret) throw new Error(`${file} is empty`);
  return secret;
}

/** The shared secret from SSS_AUTH_SECRET, or from SSS_AUTH_SECRET_FILE, re-read when the file changes. */
export class SecretSource {
  private value: string;

  /** Throws when the file cannot be read at start. */
  constructor(
    private readonly source: { value: string } | { file: string },
    private readonly log: Logger,
  ) {
    this.value = 'file' in source ? readSecretFile(source.file) : source.value;
  }

  current(): string {
    return this.value;
  }

  /** Calls `onChange` after the file's content changed; a bad read keeps the old secret. */
  watch(onChange: () => void): void {
    if (!('file' in this.source)) return;
    const { file } = this.source;
    watchFile(file, { interval: WATCH_INTERVAL_MS, persistent: false }, () => {
      let next: string;
      try {
        next = readSecretFile(file);
      } catch (err) {
        this.log.warn(
          { file, err: (err as Error).message },
          'cannot re-read the secret file; keeping the old secret',
        );
        return;
      }
      if (next === this.value) return;
      this.value = next;
      this.log.info({ file }, 'secret file changed');
      onChange();
    });
  }

  stop(): void {
    if ('file' in this.source) unwatchFile(this.source.file);
  }
}
