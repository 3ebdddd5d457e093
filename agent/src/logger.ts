import type { LogLevel } from '@sss/protocol';
import { pino } from 'pino';

/** JSON lines on stdout, like the dashboard's; every line carries the server id. */
export function createLogger(level: LogLevel, serverId: string) {
  // Synchronous writes: lines stay in order and none is lost when the process exits right after.
  return pino(
    { level, base: { service: 'sss-agent', serverId }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: 1, sync: true }),
  );
}
