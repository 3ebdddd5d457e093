import type { BackoffPolicy } from './constants';

/**
 * Delay before reconnect attempt `attempt` (0 for the first): initial x factor^attempt, capped, then shortened by
 * up to `jitter` of itself so that clients which lost the same server do not all return at the same instant.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  return base * (1 - policy.jitter * random());
}
