import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { settingErrorOf } from './fixtures';
import { SharedSecret } from './secret-file';

function recordingLog() {
  const lines: string[] = [];
  const log = {
    info: (_fields: object, message: string) => lines.push(`info ${message}`),
    warn: (_fields: object, message: string) => lines.push(`warn ${message}`),
  };
  return { lines, log };
}

describe('SharedSecret', () => {
  const secrets: SharedSecret[] = [];
  afterEach(() => {
    for (const s of secrets.splice(0)) s.stop();
  });

  function watched(file: string, onChange?: () => void) {
    const secret = new SharedSecret({ file });
    const { lines, log } = recordingLog();
    secret.watch(log, onChange);
    secrets.push(secret);
    return { secret, lines };
  }

  it('is the value it was given', () => {
    expect(new SharedSecret({ value: 's3cret' }).current()).toBe('s3cret');
  });

  it('reads the file, trimmed, and picks up a change made right after start', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sss-secret-')), 'secret');
    writeFileSync(file, 'first\n');
    let changes = 0;
    const { secret, lines } = watched(file, () => changes++);
    expect(secret.current()).toBe('first');
    writeFileSync(file, 'second\n');
    await expect.poll(() => secret.current(), { timeout: 10_000 }).toBe('second');
    expect(changes).toBe(1);
    expect(lines).toEqual(['info shared secret reloaded']);
  }, 20_000);

  it('follows a Kubernetes-style symlink swap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sss-secret-'));
    writeFileSync(join(dir, 'v1'), 'one');
    writeFileSync(join(dir, 'v2'), 'two');
    symlinkSync(join(dir, 'v1'), join(dir, '..data'));
    const { secret } = watched(join(dir, '..data'));
    symlinkSync(join(dir, 'v2'), join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    await expect.poll(() => secret.current(), { timeout: 10_000 }).toBe('two');
  }, 20_000);

  it('keeps the previous secret while the file is empty or gone, and says so once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sss-secret-')), 'secret');
    writeFileSync(file, 'kept');
    const { secret, lines } = watched(file);
    writeFileSync(file, '  \n');
    await expect.poll(() => lines, { timeout: 10_000 }).toHaveLength(1);
    rmSync(file);
    await expect.poll(() => lines, { timeout: 10_000 }).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(lines).toEqual([
      'warn secret file unreadable; keeping the previous secret',
      'warn secret file unreadable; keeping the previous secret',
    ]);
    expect(secret.current()).toBe('kept');
    writeFileSync(file, 'back');
    await expect.poll(() => secret.current(), { timeout: 10_000 }).toBe('back');
  }, 30_000);

  it('refuses a missing or empty file at start, naming the setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sss-secret-'));
    writeFileSync(join(dir, 'empty'), '\n');
    const missing = settingErrorOf(() => new SharedSecret({ file: join(dir, 'missing') }));
    expect(missing.setting).toBe('SSS_AUTH_SECRET_FILE');
    expect(missing.message).toMatch(/^SSS_AUTH_SECRET_FILE: cannot read ".*missing": ENOENT/);
    expect(settingErrorOf(() => new SharedSecret({ file: join(dir, 'empty') })).message).toMatch(
      /^SSS_AUTH_SECRET_FILE: ".*empty" is empty$/,
    );
  });
});
