import type { Logger } from 'pino';

/**
 * Runs a promise nobody awaits (a timer's work, a resynchronisation): a rejection is logged, never left unhandled,
 * which would end the process.
 */
export function background(promise: Promise<unknown>, log: Logger, what: string): void {
  promise.catch((err: unknown) =>
    log.error({ err: err instanceof Error ? err.message : String(err) }, `${what} failed`),
  );
}
