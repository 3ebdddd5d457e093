/** Items that arrive over time (log lines, messages), and a way to wait for one that matches. */
export class Recorder<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();

  push(item: T): void {
    this.items.push(item);
    for (const wake of this.waiters) wake();
  }

  /**
   * Resolves with the first item from index `from` on, already here or still to come, that matches; rejects
   * after timeoutMs with `describe()` in the message.
   */
  waitFor(match: (item: T) => boolean, timeoutMs: number, describe: () => string, from = 0): Promise<T> {
    return new Promise((resolve, reject) => {
      let next = Math.max(0, from);
      const check = () => {
        for (; next < this.items.length; next++) {
          const item = this.items[next] as T;
          if (match(item)) {
            cleanup();
            resolve(item);
            return true;
          }
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`nothing matched within ${timeoutMs} ms: ${describe()}`));
      }, timeoutMs);
      const wake = () => void check();
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      if (!check()) this.waiters.add(wake);
    });
  }
}
