import type { Logger } from '../logger';

/**
 * Remembers which parts of the collection are failing so each failure is logged once when it starts (and once
 * when it recovers), not every cycle.
 */
export class FailureLog {
  private readonly failing = new Map<string, string>();

  constructor(private readonly log: Logger) {}

  failed(part: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (this.failing.has(part)) return;
    this.failing.set(part, message);
    this.log.warn({ part, err: message }, 'collection failed; reporting without it until it recovers');
  }

  succeeded(part: string): void {
    if (this.failing.delete(part)) this.log.info({ part }, 'collection recovered');
  }

  /** Runs `read`; on failure logs (once) and returns `fallback`. */
  async guard<T>(part: string, read: () => Promise<T>, fallback: T): Promise<T> {
    try {
      const value = await read();
      this.succeeded(part);
      return value;
    } catch (err) {
      this.failed(part, err);
      return fallback;
    }
  }
}
