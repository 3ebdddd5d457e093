/**
 * Bytes per second between two readings of a monotonically increasing counter. A counter that went backwards
 * (interface re-created, device re-attached, 32-bit wrap) gives 0 for this interval, never a negative speed;
 * the caller keeps the new reading as the baseline, so the next interval is right. Whole bytes per second.
 */
export function rate(previous: number | undefined, current: number, elapsedSeconds: number): number {
  if (previous === undefined || current < previous || elapsedSeconds <= 0) return 0;
  return Math.round((current - previous) / elapsedSeconds);
}

/** part / whole x 100, clamped to 0-100, two decimals. */
export function percent(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.round(Math.min(100, Math.max(0, (part / whole) * 100)) * 100) / 100;
}
