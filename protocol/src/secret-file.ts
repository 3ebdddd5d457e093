// The shared secret as both programs take it: SSS_AUTH_SECRET, or SSS_AUTH_SECRET_FILE (a mounted Kubernetes
// Secret) re-read when its content changes. Node.js only: imported as `@sss/protocol/secret-file`, never by the ui.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { SettingError } from './settings';

/**
 * How often the file is read again. Its content is compared, not its stat: Kubernetes swaps a symlink, and a
 * change right after start-up must not slip between the first read and a watcher's baseline.
 */
export const SECRET_FILE_POLL_MS = 1_000;

export interface SecretLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

function read(text: string, path: string): string {
  const value = text.trim();
  if (value === '') throw new Error(`"${path}" is empty`);
  return value;
}

export class SharedSecret {
  private value: string;
  private timer?: NodeJS.Timeout;
  /** The last read failure, logged once until the file reads again. */
  private problem = '';

  /** Throws a SettingError naming `setting` when the file cannot be read or is empty. */
  constructor(
    private readonly source: { value: string } | { file: string },
    private readonly setting = 'SSS_AUTH_SECRET_FILE',
  ) {
    if ('value' in source) {
      this.value = source.value;
      return;
    }
    let text: string;
    try {
      text = readFileSync(source.file, 'utf8');
    } catch (err) {
      const message = `${setting}: cannot read "${source.file}": ${(err as Error).message}`;
      throw new SettingError(setting, message);
    }
    if (text.trim() === '') throw new SettingError(setting, `${setting}: "${source.file}" is empty`);
    this.value = text.trim();
  }

  current(): string {
    return this.value;
  }

  /**
   * Re-reads the file every SECRET_FILE_POLL_MS and calls `onChange` when its content changed; an unreadable or
   * empty file keeps the previous secret and is logged once until it reads again.
   */
  watch(log: SecretLog, onChange: () => void = () => {}): void {
    if (!('file' in this.source) || this.timer) return;
    const { file } = this.source;
    this.timer = setInterval(() => void this.reread(file, log, onChange), SECRET_FILE_POLL_MS);
    this.timer.unref();
  }

  private async reread(file: string, log: SecretLog, onChange: () => void): Promise<void> {
    let next: string;
    try {
      next = read(await readFile(file, 'utf8'), file);
    } catch (err) {
      const message = (err as Error).message;
      if (message !== this.problem)
        log.warn({ file, err: message }, 'secret file unreadable; keeping the previous secret');
      this.problem = message;
      return;
    }
    this.problem = '';
    if (next === this.value) return;
    this.value = next;
    log.info({ file, setting: this.setting }, 'shared secret reloaded');
    onChange();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
