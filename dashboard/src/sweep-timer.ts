/** A timer that fires this much later than due means the process was stalled (SIGSTOP, a long GC, CPU throttling). */
const STALL_MS = 500;

/**
 * Calls `sweep` every `ms`, except once right after a stall: the sockets' data that queued up meanwhile is read
 * first (timers run before the poll phase of Node's loop), so no connection is judged by time it could not read.
 * Never two turns in a row, so a loop that is merely busy still sweeps.
 */
export function sweepEvery(
  ms: number,
  sweep: () => void,
  onStall: (lateMs: number) => void = () => {},
  clock: () => number = () => performance.now(),
) {
  let last = clock();
  let deferred = false;
  const timer = setInterval(() => {
    const now = clock();
    const late = now - last - ms;
    last = now;
    if (late > STALL_MS && !deferred) {
      deferred = true;
      onStall(late);
      return;
    }
    deferred = false;
    sweep();
  }, ms);
  timer.unref();
  return timer;
}
