import { describe, expect, it } from 'vitest';
import { seedExample } from './fixtures';
import { MAX_DISKS, validateServerInfo } from './validate';

/** The seed example with the value at a dotted path replaced (`undefined` deletes it). */
function withValue(path: string, value: unknown): unknown {
  const msg: unknown = JSON.parse(JSON.stringify(seedExample()));
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  let target = msg as Record<string, unknown>;
  for (const key of keys) target = target[key] as Record<string, unknown>;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return msg;
}

function rejection(msg: unknown): { field: string; message: string } {
  const result = validateServerInfo(msg);
  if (result.ok) throw new Error('expected a rejection');
  return { field: result.field, message: result.message };
}

describe('validateServerInfo', () => {
  it('accepts the seed example and returns an equal copy', () => {
    const input = seedExample();
    const result = validateServerInfo(input);
    expect(result).toEqual({ ok: true, value: input });
    if (result.ok) expect(result.value).not.toBe(input);
  });

  it('drops unknown fields and treats empty optional strings as absent', () => {
    const input = {
      ...seedExample(),
      group: '',
      ip: '',
      extra: 'x',
      cpu: { ...seedExample().cpu, flags: [1] },
    };
    const result = validateServerInfo(input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).not.toHaveProperty('extra');
    expect(result.value).not.toHaveProperty('group');
    expect(result.value).not.toHaveProperty('ip');
    expect(result.value.cpu).toEqual(seedExample().cpu);
  });

  it('upper-cases the country code', () => {
    const result = validateServerInfo(withValue('countryCode', 'de'));
    expect(result.ok && result.value.countryCode).toBe('DE');
  });

  it.each([42, [], null, 'text'])('rejects a message that is not an object: %j', (msg) => {
    expect(rejection(msg)).toEqual({ field: '(message)', message: 'must be an object' });
  });

  it.each<[string, unknown, string, RegExp]>([
    ['serverId', undefined, 'serverId', /must be a string/],
    ['serverId', 'web 1', 'serverId', /A-Z, a-z, 0-9/],
    ['serverName', '', 'serverName', /must not be empty/],
    ['group', 5, 'group', /must be a string/],
    ['countryCode', 'CHN', 'countryCode', /alpha-2/],
    ['cpu', 'fast', 'cpu', /must be an object/],
    ['cpu.percent', 100.5, 'cpu.percent', /between 0 and 100/],
    ['cpu.cores', 1.5, 'cpu.cores', /whole number/],
    ['memory.used', -1, 'memory.used', /must not be negative/],
    ['memory.total', '16G', 'memory.total', /finite number/],
    ['disk', {}, 'disk', /must be an array/],
    ['disk.0.readSpeed', null, 'disk[0].readSpeed', /finite number/],
    ['disk.0', 'sda', 'disk[0]', /must be an object/],
    ['network.interfaceName', undefined, 'network.interfaceName', /must be a string/],
    ['system', undefined, 'system', /must be an object/],
    ['system.uptime', Number.POSITIVE_INFINITY, 'system.uptime', /finite number/],
    ['timestamp', undefined, 'timestamp', /finite number/],
  ])('names the field when %s is %j', (path, value, field, message) => {
    const result = rejection(withValue(path, value));
    expect(result.field).toBe(field);
    expect(result.message).toMatch(message);
  });

  it('names the index of a later broken disk', () => {
    const msg = seedExample();
    msg.disk.push({ ...msg.disk[0], path: '/data', usedPercent: -3 } as (typeof msg.disk)[0]);
    expect(rejection(msg)).toEqual({ field: 'disk[1].usedPercent', message: 'must be between 0 and 100' });
  });

  it('reports the first offending field in the seed order', () => {
    const msg = { ...seedExample(), timestamp: 'x', cpu: { ...seedExample().cpu, percent: -1 } };
    expect(rejection(msg).field).toBe('cpu.percent');
  });

  it('bounds the number of disks', () => {
    const msg = {
      ...seedExample(),
      disk: Array.from({ length: MAX_DISKS + 1 }, () => seedExample().disk[0]),
    };
    expect(rejection(msg)).toEqual({ field: 'disk', message: `must have at most ${MAX_DISKS} entries` });
  });
});
