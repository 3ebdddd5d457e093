import type { LogLevel } from '@sss/protocol';
import { pino } from 'pino';

/** JSON lines on stdout, one object per event, as log collectors in Kubernetes expect. */
export function createLogger(level: LogLevel) {
  // Synchronous writes: lines stay in order and none is lost when the process exits right after.
  return pino(
    { level, base: { service: 'sss-dashboard' }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: 1, sync: true }),
  );
}
