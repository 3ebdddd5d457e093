import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingError } from '@sss/protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Authenticator, FailureLimiter, secretsEqual } from './auth';

const log = pino({ level: 'silent' });

describe('secretsEqual', () => {
  it('is true only for equal strings, whatever their lengths', () => {
    expect(secretsEqual('s3cret', 's3cret')).toBe(true);
    expect(secretsEqual('s3cret', 's3cre')).toBe(false);
    expect(secretsEqual('', 's3cret')).toBe(false);
    expect(secretsEqual('x'.repeat(10_000), 's3cret')).toBe(false);
  });
});

describe('Authenticator', () => {
  it('accepts any valid id with the shared secret when no servers are listed', () => {
    const auth = new Authenticator({ authSecret: 'shared' }, undefined, log);
    expect(auth.check('node-1.example', 'shared')).toBe(true);
    expect(auth.check('node-1', 'wrong')).toBe(false);
    expect(auth.check('node-1', undefined)).toBe(false);
    expect(auth.check(undefined, 'shared')).toBe(false);
    expect(auth.check('bad id', 'shared')).toBe(false);
  });

  it('accepts only listed ids, each with its own secret or else the shared one', () => {
    const servers = new Map([
      ['web-1', { id: 'web-1', secret: 'own' }],
      ['web-2', { id: 'web-2' }],
    ]);
    const auth = new Authenticator({ authSecret: 'shared' }, servers, log);
    expect(auth.check('web-1', 'own')).toBe(true);
    expect(auth.check('web-1', 'shared')).toBe(false);
    expect(auth.check('web-2', 'shared')).toBe(true);
    expect(auth.check('web-3', 'shared')).toBe(false);
    expect(auth.checkShared('shared')).toBe(true);
    expect(auth.checkShared('own')).toBe(false);
  });

  it('re-reads the secret file when it changes and keeps the old value if it turns empty', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sss-auth-')), 'secret');
    writeFileSync(file, 'first\n');
    const auth = new Authenticator({ authSecretFile: file }, undefined, log);
    try {
      expect(auth.check('a', 'first')).toBe(true);
      writeFileSync(file, 'second\n');
      await expect.poll(() => auth.check('a', 'second'), { timeout: 5_000, interval: 100 }).toBe(true);
      expect(auth.check('a', 'first')).toBe(false);
      writeFileSync(file, '');
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(auth.check('a', 'second')).toBe(true);
    } finally {
      auth.stop();
    }
  });

  it('refuses to start on a missing or empty secret file, naming the setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sss-auth-'));
    writeFileSync(join(dir, 'empty'), '\n');
    expect(() => new Authenticator({ authSecretFile: join(dir, 'missing') }, undefined, log)).toThrow(
      SettingError,
    );
    expect(() => new Authenticator({ authSecretFile: join(dir, 'empty') }, undefined, log)).toThrow(
      /SSS_AUTH_SECRET_FILE: ".*empty" is empty/,
    );
  });
});

describe('FailureLimiter', () => {
  it('blocks an address at the limit until its window ends', () => {
    let now = 0;
    const limiter = new FailureLimiter(3, 60_000, 100, () => now);
    limiter.fail('10.0.0.1');
    limiter.fail('10.0.0.1');
    expect(limiter.retryAfter('10.0.0.1')).toBe(0);
    limiter.fail('10.0.0.1');
    expect(limiter.retryAfter('10.0.0.1')).toBe(60);
    expect(limiter.retryAfter('10.0.0.2')).toBe(0);
    now = 59_500;
    expect(limiter.retryAfter('10.0.0.1')).toBe(1);
    now = 60_000;
    expect(limiter.retryAfter('10.0.0.1')).toBe(0);
    limiter.fail('10.0.0.1');
    expect(limiter.retryAfter('10.0.0.1')).toBe(0);
  });

  it('forgets ended windows and never tracks more than its bound', () => {
    let now = 0;
    const limiter = new FailureLimiter(1, 1_000, 3, () => now);
    for (const address of ['a', 'b', 'c', 'd']) limiter.fail(address);
    expect(limiter.size).toBe(3);
    expect(limiter.retryAfter('a')).toBe(0);
    expect(limiter.retryAfter('d')).toBe(1);
    now = 1_000;
    limiter.sweep();
    expect(limiter.size).toBe(0);
  });
});
