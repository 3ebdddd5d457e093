import { expect, it } from 'vitest';
import { createLogger } from './logger';

it("writes pino's layout: numeric level, ISO time, base fields, the fields, msg; below the level nothing", () => {
  const lines: string[] = [];
  const log = createLogger('info', { service: 'sss-agent', serverId: 'n1' }, (line) => void lines.push(line));
  log.debug({ x: 1 }, 'hidden');
  log.info({ retryInMs: 3000 }, 'connected');
  log.warn('plain message');
  log.error({ err: new Error('boom') }, 'failed');
  expect(lines).toHaveLength(3);
  expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
  const [connected, plain, failed] = lines.map((l) => JSON.parse(l));
  expect(Object.keys(connected)).toEqual(['level', 'time', 'service', 'serverId', 'retryInMs', 'msg']);
  expect(connected).toMatchObject({ level: 30, service: 'sss-agent', serverId: 'n1', retryInMs: 3000 });
  expect(new Date(connected.time).toISOString()).toBe(connected.time);
  expect(plain).toMatchObject({ level: 40, msg: 'plain message' });
  expect(failed.err).toMatchObject({ type: 'Error', message: 'boom' });
  const silent: string[] = [];
  createLogger('silent', {}, (line) => void silent.push(line)).fatal('x');
  expect(silent).toEqual([]);
});
