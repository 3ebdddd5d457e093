import { writeSync } from 'node:fs';
import type { LogLevel } from '@sss/protocol';

// JSON lines on stdout in pino's layout ({"level":30,"time":"…","service":"sss-agent","serverId":"…",…,"msg":"…"}),
// written synchronously so lines stay in order and none is lost when the process exits right after. Not pino
// itself: loading pino cost the agent about 7 MiB of its resident memory for the dozen lines it ever writes.

const LEVELS = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

type Method = (fieldsOrMessage: object | string, message?: string) => void;

export interface Logger {
  trace: Method;
  debug: Method;
  info: Method;
  warn: Method;
  error: Method;
  fatal: Method;
}

/** An Error as pino's serializer writes it; other values as they are. */
function plain(value: unknown): unknown {
  return value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value;
}

export function createLogger(
  level: LogLevel,
  base: Record<string, unknown>,
  write: (line: string) => void = (line) => writeSync(1, line),
): Logger {
  const threshold = LEVELS[level];
  const method =
    (name: Exclude<LogLevel, 'silent'>): Method =>
    (fieldsOrMessage, message) => {
      const value = LEVELS[name];
      if (value < threshold) return;
      const fields: object = typeof fieldsOrMessage === 'string' ? {} : fieldsOrMessage;
      const msg = typeof fieldsOrMessage === 'string' ? fieldsOrMessage : message;
      const line: Record<string, unknown> = { level: value, time: new Date().toISOString(), ...base };
      for (const [key, v] of Object.entries(fields)) line[key] = plain(v);
      if (msg !== undefined) line.msg = msg;
      write(`${JSON.stringify(line)}\n`);
    };
  return {
    trace: method('trace'),
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    fatal: method('fatal'),
  };
}

/** The agent's logger: every line carries the service and the server id. */
export function agentLogger(level: LogLevel, serverId: string): Logger {
  return createLogger(level, { service: 'sss-agent', serverId });
}
