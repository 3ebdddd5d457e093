import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSettings, SettingError } from '@sss/protocol';
import { describe, expect, it } from 'vitest';
import { readCa, readPassword, replicaSettings } from './settings';

const read = (env: Record<string, string>) => readSettings(replicaSettings, env, []);

describe('replica settings', () => {
  it('without SSS_REDIS_URL: no Redis, prefix sss', () => {
    expect(read({})).toEqual({
      redisUrl: undefined,
      redisPasswordFile: undefined,
      redisCaFile: undefined,
      redisPrefix: 'sss',
      replicaId: undefined,
    });
  });

  it.each(['redis://redis:6379', 'rediss://user:pw@redis.example:6380/2', 'redis://127.0.0.1'])(
    'takes %s',
    (url) => {
      expect(read({ SSS_REDIS_URL: url }).redisUrl?.href).toBe(new URL(url).href);
    },
  );

  it.each(['http://redis:6379', 'redis', 'redis://', 'unix:///run/redis.sock', '://x'])(
    'refuses %s, naming the setting and the schemes',
    (url) => {
      expect(() => read({ SSS_REDIS_URL: url })).toThrow(
        /^SSS_REDIS_URL must be a URL starting with redis:\/\/ or rediss:\/\//,
      );
    },
  );

  it('does not repeat a password of a refused URL', () => {
    expect(() => read({ SSS_REDIS_URL: 'http://user:secret@redis:6379' })).toThrow(/http:\/\/\*\*\*@redis/);
  });

  it('names the setting of a bad prefix or replica id', () => {
    expect(() => read({ SSS_REDIS_PREFIX: 'a b' })).toThrow(/^SSS_REDIS_PREFIX must be 1-253 characters/);
    expect(() => read({ SSS_REPLICA_ID: 'pod/1' })).toThrow(/^SSS_REPLICA_ID must be 1-253 characters/);
  });

  it('reads the password file without its trailing newline; a missing file names the setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sss-redis-settings-'));
    try {
      writeFileSync(join(dir, 'password'), 'pass word\n');
      expect(readPassword(join(dir, 'password'))).toBe('pass word');
      expect(() => readPassword(join(dir, 'missing'))).toThrow(SettingError);
      expect(() => readPassword(join(dir, 'missing'))).toThrow(/^SSS_REDIS_PASSWORD_FILE: cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a CA file needs rediss://', () => {
    const config = { redisPrefix: 'sss', redisCaFile: '/ca.pem' };
    expect(() => readCa({ ...config, redisUrl: new URL('redis://redis:6379') })).toThrow(
      /^SSS_REDIS_CA_FILE needs a rediss:\/\/ SSS_REDIS_URL/,
    );
    expect(() => readCa({ ...config, redisUrl: new URL('rediss://redis:6379') })).toThrow(
      /^SSS_REDIS_CA_FILE: cannot read the CA file/,
    );
    expect(readCa({ redisPrefix: 'sss', redisUrl: new URL('rediss://redis:6379') })).toBeUndefined();
  });
});
