import { describe, expect, it } from 'vitest';
import { fullExample, seedExample } from './fixtures';
import {
  MAX_CORES,
  MAX_DISKS,
  MAX_INTERFACES,
  MAX_PROCESSES,
  MAX_TEMPERATURES,
  validateServerInfo,
} from './validate';

/** The seed example (or `base`) with the value at a dotted path replaced (`undefined` deletes it). */
function withValue(path: string, value: unknown, base: unknown = seedExample()): unknown {
  const msg: unknown = JSON.parse(JSON.stringify(base));
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

describe('validateServerInfo: the extension fields (DESIGN section 3)', () => {
  it('accepts a report carrying every extension field and returns an equal copy', () => {
    const input = fullExample();
    expect(validateServerInfo(input)).toEqual({ ok: true, value: input });
  });

  it('accepts a report carrying none of them (the seed alone) and adds none', () => {
    const result = validateServerInfo(seedExample());
    expect(result.ok && Object.keys(result.value)).not.toContain('connections');
    expect(result.ok && result.value.cpu).toEqual(seedExample().cpu);
    expect(result.ok && result.value.network).toEqual(seedExample().network);
  });

  it('takes null for an absent extension field', () => {
    const result = validateServerInfo({ ...fullExample(), temperatures: null, connections: null });
    expect(result.ok && 'temperatures' in result.value).toBe(false);
    expect(result.ok && 'connections' in result.value).toBe(false);
  });

  it('drops unknown fields inside the extension objects', () => {
    const input = withValue('connections.tcp6', 3, fullExample());
    const result = validateServerInfo(withValue('temperatures.0.label', 'x', input));
    expect(result.ok && result.value.connections).toEqual(fullExample().connections);
    expect(result.ok && result.value.temperatures?.[0]).toEqual(fullExample().temperatures?.[0]);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['cpu.load1', -0.1, 'cpu.load1', /between 0 and 1000000/],
    ['cpu.load5', '1.5', 'cpu.load5', /finite number/],
    ['cpu.load15', 2e6, 'cpu.load15', /between 0 and 1000000/],
    ['cpu.perCore', { 0: 1 }, 'cpu.perCore', /must be an array/],
    ['cpu.perCore', Array(MAX_CORES + 1).fill(1), 'cpu.perCore', /at most 1024 entries/],
    ['cpu.perCore.2', 100.01, 'cpu.perCore[2]', /between 0 and 100/],
    ['cpu.perCore.0', 'x', 'cpu.perCore[0]', /finite number/],
    ['cpu.modes', [], 'cpu.modes', /must be an object/],
    ['cpu.modes.user', -1, 'cpu.modes.user', /between 0 and 100/],
    ['cpu.modes.steal', undefined, 'cpu.modes.steal', /finite number/],
    ['memory.swapTotal', -1, 'memory.swapTotal', /between 0 and/],
    ['memory.swapUsed', Number.NaN, 'memory.swapUsed', /finite number/],
    ['memory.cached', '1G', 'memory.cached', /finite number/],
    ['disk.0.ioUtilPercent', 101, 'disk[0].ioUtilPercent', /between 0 and 100/],
    ['network.interfaces', 'eth0', 'network.interfaces', /must be an array/],
    [
      'network.interfaces',
      Array(MAX_INTERFACES + 1).fill(fullExample().network.interfaces?.[0]),
      'network.interfaces',
      /at most 256 entries/,
    ],
    ['network.interfaces.1', 'eth1', 'network.interfaces[1]', /must be an object/],
    ['network.interfaces.0.name', '', 'network.interfaces[0].name', /must not be empty/],
    ['network.interfaces.0.name', 'x'.repeat(65), 'network.interfaces[0].name', /at most 64 characters/],
    ['network.interfaces.1.inSpeed', -5, 'network.interfaces[1].inSpeed', /must not be negative/],
    ['network.interfaces.0.bytesSent', undefined, 'network.interfaces[0].bytesSent', /finite number/],
    ['system.processes', 1.5, 'system.processes', /whole number/],
    ['system.processes', MAX_PROCESSES + 1, 'system.processes', /between 0 and 4194304/],
    ['system.bootTime', -1, 'system.bootTime', /between 0 and/],
    ['connections', 5, 'connections', /must be an object/],
    ['connections.tcp', -1, 'connections.tcp', /between 0 and/],
    ['connections.tcpEstablished', 2.5, 'connections.tcpEstablished', /whole number/],
    ['connections.udp', undefined, 'connections.udp', /finite number/],
    ['temperatures', {}, 'temperatures', /must be an array/],
    [
      'temperatures',
      Array(MAX_TEMPERATURES + 1).fill({ sensor: 's', celsius: 1 }),
      'temperatures',
      /at most 256 entries/,
    ],
    ['temperatures.0', null, 'temperatures[0]', /must be an object/],
    ['temperatures.0.sensor', 7, 'temperatures[0].sensor', /must be a string/],
    ['temperatures.1.sensor', 'x'.repeat(129), 'temperatures[1].sensor', /at most 128 characters/],
    ['temperatures.0.celsius', -300, 'temperatures[0].celsius', /between -273.15 and 1000/],
    ['temperatures.2.celsius', Number.POSITIVE_INFINITY, 'temperatures[2].celsius', /finite number/],
    ['temperatures.1.criticalCelsius', 5000, 'temperatures[1].criticalCelsius', /between -273.15 and 1000/],
  ])('names the field when %s is %j', (path, value, field, message) => {
    const result = rejection(withValue(path, value, fullExample()));
    expect(result.field).toBe(field);
    expect(result.message).toMatch(message);
  });

  it('keeps the first of each filesystem path, interface name and sensor name (a bind mount listed twice)', () => {
    const msg = fullExample();
    const root = msg.disk[0] as (typeof msg.disk)[0];
    msg.disk.push({ ...root, total: 1 }, { ...root, path: '/srv' }, { ...root, total: 2 });
    const eth0 = msg.network.interfaces?.[0] as NonNullable<typeof msg.network.interfaces>[0];
    msg.network.interfaces?.push({ ...eth0, bytesSent: 1 });
    const sensor = msg.temperatures?.[0] as NonNullable<typeof msg.temperatures>[0];
    msg.temperatures?.push({ ...sensor, celsius: 99 });
    const result = validateServerInfo(msg);
    if (!result.ok) throw new Error(`rejected: ${result.field}`);
    expect(result.value.disk).toEqual([...fullExample().disk, { ...root, path: '/srv' }]);
    expect(result.value.network.interfaces).toEqual(fullExample().network.interfaces);
    expect(result.value.temperatures).toEqual(fullExample().temperatures);
  });

  it('reports the first offending field: a seed field before an extension field of a later part', () => {
    const msg = withValue('temperatures.0.celsius', 'hot', withValue('system.uptime', -1, fullExample()));
    expect(rejection(msg).field).toBe('system.uptime');
    const cpuFirst = withValue('connections.tcp', -1, withValue('cpu.load1', -1, fullExample()));
    expect(rejection(cpuFirst).field).toBe('cpu.load1');
  });
});
