import { SharedSecret } from '@sss/protocol/secret-file';
import { describe, expect, it } from 'vitest';
import { Authenticator, FailureLimiter, secretsEqual } from './auth';

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
    const auth = new Authenticator(new SharedSecret({ value: 'shared' }), undefined);
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
    const auth = new Authenticator(new SharedSecret({ value: 'shared' }), servers);
    expect(auth.check('web-1', 'own')).toBe(true);
    expect(auth.check('web-1', 'shared')).toBe(false);
    expect(auth.check('web-2', 'shared')).toBe(true);
    expect(auth.check('web-3', 'shared')).toBe(false);
    expect(auth.checkShared('shared')).toBe(true);
    expect(auth.checkShared('own')).toBe(false);
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
