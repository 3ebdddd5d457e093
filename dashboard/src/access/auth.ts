import { createHash, timingSafeEqual } from 'node:crypto';
import { isValidServerId } from '@sss/protocol';
import type { SharedSecret } from '@sss/protocol/secret-file';
import type { ServerEntry } from '../config';
import { addressKey } from './client-address';

/** Compares in time independent of where the strings differ and of their lengths (both are hashed first). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Decides whether an agent may report: the id must be valid (and listed, when SSS_CONFIG lists servers) and the secret right. */
export class Authenticator {
  constructor(
    private readonly shared: SharedSecret,
    private readonly servers: ReadonlyMap<string, ServerEntry> | undefined,
  ) {}

  check(serverId: string | undefined, secret: string | undefined): boolean {
    if (serverId === undefined || secret === undefined || !isValidServerId(serverId)) return false;
    if (this.servers && !this.servers.has(serverId)) return false;
    return secretsEqual(secret, this.servers?.get(serverId)?.secret ?? this.shared.current());
  }

  /** For admin requests (removing a server): the shared secret only. */
  checkShared(secret: string | undefined): boolean {
    return secret !== undefined && secretsEqual(secret, this.shared.current());
  }
}

/** Failures per key in fixed windows; a key at the limit is blocked until its window ends. */
class WindowCounts {
  private readonly entries = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    /** Keys tracked at most; beyond it the oldest entry is dropped, so a flood cannot grow memory. */
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  /** Seconds until the key may try again, or 0 when it is not blocked. */
  retryAfter(key: string): number {
    const entry = this.entries.get(key);
    const now = this.now();
    if (!entry || now >= entry.resetAt || entry.count < this.limit) return 0;
    return Math.ceil((entry.resetAt - now) / 1000);
  }

  fail(key: string): void {
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry && now < entry.resetAt) {
      entry.count++;
      return;
    }
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { count: 1, resetAt: now + this.windowMs });
  }

  sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (now >= entry.resetAt) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface FailureLimits {
  /** Failures per (address, server id) in a window. */
  limit: number;
  /** Failures per address, all ids together, in a window; looser than `limit`. */
  addressLimit: number;
  windowMs: number;
  maxEntries?: number;
  now?: () => number;
}

/** What a blocked attempt is told: seconds to wait and which limit it hit. */
export interface Blocked {
  retryAfter: number;
  /** `admin`: wrong secrets on admin requests, counted per address under ADMIN_KEY. */
  scope: 'id' | 'address' | 'admin';
}

/** The key failed admin requests (DELETE /api/servers/:id) count under; no server id can contain a space. */
export const ADMIN_KEY = ' admin';

/** How long a login spares its (address, id) the address-wide limit. */
export const LOGIN_REMEMBERED_MS = 24 * 3600_000;

/**
 * Counts failed logins per (address, server id), so a good agent is never refused because another id failed from
 * its address (a NAT, an Ingress), while guessing one id's secret stays limited. Looser, per address: once the
 * address failed `addressLimit` times, every id is refused but those that logged in from it within
 * LOGIN_REMEMBERED_MS. That bounds guessing across ids, the made-up ones and the public ones (Node names, listed by
 * /api/servers) alike: all of them test the same shared secret.
 */
export class FailureLimiter {
  private readonly perId: WindowCounts;
  private readonly perAddress: WindowCounts;
  /** (address, id) -> when it last logged in; insertion-ordered, so the oldest goes first when full. */
  private readonly logins = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(limits: FailureLimits) {
    this.now = limits.now ?? Date.now;
    this.maxEntries = limits.maxEntries ?? 100_000;
    this.perId = new WindowCounts(limits.limit, limits.windowMs, this.maxEntries, this.now);
    this.perAddress = new WindowCounts(limits.addressLimit, limits.windowMs, this.maxEntries, this.now);
  }

  /** Why (address, id) must wait, or undefined. An IPv6 address counts as its /64 here (see addressKey). */
  blocked(client: string, id: string): Blocked | undefined {
    const address = addressKey(client);
    const key = `${address} ${id}`;
    const forId = this.perId.retryAfter(key);
    if (forId > 0) return { retryAfter: forId, scope: id === ADMIN_KEY ? 'admin' : 'id' };
    const at = this.logins.get(key);
    const remembered = at !== undefined && this.now() - at < LOGIN_REMEMBERED_MS;
    const forAddress = remembered ? 0 : this.perAddress.retryAfter(address);
    return forAddress > 0 ? { retryAfter: forAddress, scope: 'address' } : undefined;
  }

  fail(client: string, id: string): void {
    const address = addressKey(client);
    this.perId.fail(`${address} ${id}`);
    this.perAddress.fail(address);
  }

  /** (address, id) logged in: the address-wide limit spares it from now on (for LOGIN_REMEMBERED_MS). */
  succeeded(client: string, id: string): void {
    const key = `${addressKey(client)} ${id}`;
    this.logins.delete(key);
    if (this.logins.size >= this.maxEntries) {
      const oldest = this.logins.keys().next().value;
      if (oldest !== undefined) this.logins.delete(oldest);
    }
    this.logins.set(key, this.now());
  }

  /** Forgets windows that have ended and logins too old to count. */
  sweep(): void {
    this.perId.sweep();
    this.perAddress.sweep();
    const oldest = this.now() - LOGIN_REMEMBERED_MS;
    for (const [key, at] of this.logins) {
      if (at >= oldest) break;
      this.logins.delete(key);
    }
  }

  get size(): number {
    return this.perId.size + this.perAddress.size;
  }
}

/** The JSON body of a 429, naming the limit that was hit. */
export function tooManyFailures(blocked: Blocked): string {
  const message = {
    id: 'too many failed logins for this server id from this address',
    address: 'too many failed logins from this address',
    admin: 'too many wrong secrets from this address',
  }[blocked.scope];
  return JSON.stringify({ error: 'too_many_requests', message, retryAfter: blocked.retryAfter });
}
