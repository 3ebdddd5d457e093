import { SharedSecret } from '@sss/protocol/secret-file';
import { describe, expect, it } from 'vitest';
import { Authenticator, FailureLimiter, LOGIN_REMEMBERED_MS, secretsEqual } from './auth';

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
  const at = (clock: { now: number }, limit = 3, addressLimit = 100, maxEntries = 100) =>
    new FailureLimiter({ limit, addressLimit, windowMs: 60_000, maxEntries, now: () => clock.now });

  it('blocks an (address, id) at the limit until its window ends', () => {
    const clock = { now: 0 };
    const limiter = at(clock);
    limiter.fail('10.0.0.1', 'web-1');
    limiter.fail('10.0.0.1', 'web-1');
    expect(limiter.blocked('10.0.0.1', 'web-1')).toBeUndefined();
    limiter.fail('10.0.0.1', 'web-1');
    expect(limiter.blocked('10.0.0.1', 'web-1')).toEqual({ retryAfter: 60, scope: 'id' });
    expect(limiter.blocked('10.0.0.2', 'web-1')).toBeUndefined();
    clock.now = 59_500;
    expect(limiter.blocked('10.0.0.1', 'web-1')?.retryAfter).toBe(1);
    clock.now = 60_000;
    expect(limiter.blocked('10.0.0.1', 'web-1')).toBeUndefined();
  });

  it("never blocks another id of the same address for one id's failures", () => {
    const limiter = at({ now: 0 });
    for (let i = 0; i < 50; i++) limiter.fail('10.0.0.1', 'typo');
    expect(limiter.blocked('10.0.0.1', 'typo')?.scope).toBe('id');
    expect(limiter.blocked('10.0.0.1', 'web-1')).toBeUndefined();
  });

  it('bounds guessing across ids per address, sparing the ids that logged in from it within a day', () => {
    const clock = { now: 0 };
    const limiter = at(clock, 3, 10);
    limiter.succeeded('10.0.0.1', 'web-1');
    for (let i = 0; i < 10; i++) limiter.fail('10.0.0.1', `made-up-${i}`);
    expect(limiter.blocked('10.0.0.1', 'new-id')).toEqual({ retryAfter: 60, scope: 'address' });
    // A public id (a Node's name) that never logged in from here tests the same secret: refused too.
    expect(limiter.blocked('10.0.0.1', 'node-7')?.scope).toBe('address');
    expect(limiter.blocked('10.0.0.1', 'web-1')).toBeUndefined();
    expect(limiter.blocked('10.0.0.2', 'new-id')).toBeUndefined();
    // The login is remembered for a day, then forgotten.
    clock.now = LOGIN_REMEMBERED_MS - 30_000;
    for (let i = 0; i < 10; i++) limiter.fail('10.0.0.1', `made-up-${i}`);
    expect(limiter.blocked('10.0.0.1', 'web-1')).toBeUndefined();
    clock.now = LOGIN_REMEMBERED_MS;
    limiter.sweep();
    expect(limiter.blocked('10.0.0.1', 'web-1')?.scope).toBe('address');
  });

  it('counts the addresses of one IPv6 /64 as one, so rotating through them escapes no limit', () => {
    const limiter = at({ now: 0 }, 3, 10);
    for (let i = 1; i <= 10; i++) limiter.fail(`2001:db8:1:2::${i.toString(16)}`, `made-up-${i}`);
    expect(limiter.blocked('2001:db8:1:2:ffff:ffff:ffff:ffff', 'new-id')?.scope).toBe('address');
    for (let i = 1; i <= 3; i++) limiter.fail(`2001:db8:1:2::${i}:0`, 'web-1');
    expect(limiter.blocked('2001:db8:1:2::9', 'web-1')?.scope).toBe('id');
    // The next /64 is someone else.
    expect(limiter.blocked('2001:db8:1:3::1', 'new-id')).toBeUndefined();
  });

  it('forgets ended windows and never tracks more than its bound', () => {
    const clock = { now: 0 };
    const limiter = at(clock, 1, 100, 3);
    for (const address of ['a', 'b', 'c', 'd']) limiter.fail(address, 'x');
    expect(limiter.size).toBe(6);
    expect(limiter.blocked('a', 'x')).toBeUndefined();
    expect(limiter.blocked('d', 'x')?.retryAfter).toBe(60);
    clock.now = 60_000;
    limiter.sweep();
    expect(limiter.size).toBe(0);
  });
});
