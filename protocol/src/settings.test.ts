import { describe, expect, it } from 'vitest';
import { settingErrorOf } from './fixtures';
import {
  decimal,
  describeSettings,
  flagOf,
  integer,
  LOG_LEVELS,
  oneOf,
  optionalSetting,
  readSettings,
  setting,
  text,
} from './settings';

const specs = {
  port: setting('SSS_PORT', 'listen port', integer(1, 65535), 8900),
  interval: setting('SSS_INTERVAL', 'seconds', decimal(0.1, 3600), 5),
  logLevel: setting('SSS_LOG_LEVEL', 'pino level', oneOf(LOG_LEVELS), 'info'),
  secret: optionalSetting('SSS_AUTH_SECRET', 'shared secret', text),
  hostProc: setting('HOST_PROC', 'host /proc', text, '/proc'),
};

describe('readSettings', () => {
  it('uses the defaults when nothing is set, and treats an empty variable as unset', () => {
    expect(readSettings(specs, { SSS_PORT: '' }, [])).toEqual({
      port: 8900,
      interval: 5,
      logLevel: 'info',
      secret: undefined,
      hostProc: '/proc',
    });
  });

  it('reads the environment, and flags override it in both spellings', () => {
    const env = { SSS_PORT: '9000', SSS_LOG_LEVEL: 'debug', HOST_PROC: '/host/proc', SSS_AUTH_SECRET: 's3' };
    const values = readSettings(specs, env, ['--port', '9100', '--interval=0.5']);
    expect(values).toEqual({
      port: 9100,
      interval: 0.5,
      logLevel: 'debug',
      secret: 's3',
      hostProc: '/host/proc',
    });
  });

  it('derives flags from variable names', () => {
    expect(flagOf('SSS_AUTH_SECRET_FILE')).toBe('--auth-secret-file');
    expect(flagOf('HOST_PROC')).toBe('--host-proc');
  });

  it.each([
    [{ SSS_PORT: 'http' }, [], 'SSS_PORT', 'SSS_PORT must be a whole number from 1 to 65535, got "http"'],
    [{}, ['--port', '70000'], '--port', '--port must be a whole number from 1 to 65535, got "70000"'],
    [{ SSS_INTERVAL: '-1' }, [], 'SSS_INTERVAL', 'SSS_INTERVAL must be a number from 0.1 to 3600, got "-1"'],
    [
      { SSS_LOG_LEVEL: 'loud' },
      [],
      'SSS_LOG_LEVEL',
      'SSS_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, got "loud"',
    ],
    [{}, ['--port'], '--port', '--port needs a value'],
  ])('names the setting and the valid values: %j %j', (env, argv, setting, message) => {
    const err = settingErrorOf(() => readSettings(specs, env, argv));
    expect(err.setting).toBe(setting);
    expect(err.message).toBe(message);
  });

  it('rejects an unknown flag and lists the valid ones', () => {
    const err = settingErrorOf(() => readSettings(specs, {}, ['--prot', '1']));
    expect(err.message).toBe(
      'unknown option "--prot"; valid options: --port, --interval, --log-level, --auth-secret, --host-proc',
    );
  });

  it('describes every setting for --help', () => {
    const help = describeSettings(specs);
    expect(help.split('\n')).toHaveLength(5);
    expect(help).toMatch(/--port\s+SSS_PORT\s+listen port \(default: 8900\)/);
    expect(help).not.toMatch(/auth-secret.*default/);
  });
});
