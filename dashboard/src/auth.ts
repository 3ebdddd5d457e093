import { createHash, timingSafeEqual } from 'node:crypto';
import { isValidServerId } from '@sss/protocol';
import type { SharedSecret } from '@sss/protocol/secret-file';
import type { ServerEntry } from './config';

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

/** Counts failed logins per address in fixed windows; an address at the limit is refused until its window ends. */
export class FailureLimiter {
  private readonly entries = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    /** Addresses tracked at most; beyond it the oldest entry is dropped, so a flood cannot grow memory. */
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the address may try again, or 0 when it is not blocked. */
  retryAfter(address: string): number {
    const entry = this.entries.get(address);
    const now = this.now();
    if (!entry || now >= entry.resetAt || entry.count < this.limit) return 0;
    return Math.ceil((entry.resetAt - now) / 1000);
  }

  fail(address: string): void {
    const now = this.now();
    const entry = this.entries.get(address);
    if (entry && now < entry.resetAt) {
      entry.count++;
      return;
    }
    this.entries.delete(address);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(address, { count: 1, resetAt: now + this.windowMs });
  }

  /** Forgets windows that have ended. */
  sweep(): void {
    const now = this.now();
    for (const [address, entry] of this.entries) if (now >= entry.resetAt) this.entries.delete(address);
  }

  get size(): number {
    return this.entries.size;
  }
}
