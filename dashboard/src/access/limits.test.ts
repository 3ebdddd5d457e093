import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settingErrorOf } from '@sss/protocol/fixtures';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { addressKey, ClientAddresses } from './client-address';
import { ConnectionGuard, connectionCeiling, type DropReason, openFilesLimit } from './connection-guard';

function request(remoteAddress: string, forwardedFor?: string): IncomingMessage {
  return {
    socket: { remoteAddress },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as IncomingMessage;
}

describe('limit settings', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({ SSS_AUTH_SECRET: 's' }, [])).toMatchObject({
      headerTimeout: 5,
      keepAliveTimeout: 5,
      maxConnectionsPerAddress: 1024,
      descriptorHeadroom: 256,
      trustedProxies: undefined,
      maxServers: 10_000,
      authFailureAddressLimit: 100,
      metricsToken: undefined,
    });
  });

  it.each([
    [
      { SSS_TRUSTED_PROXIES: '10.0.0.0/33' },
      /SSS_TRUSTED_PROXIES must be a comma-separated list .* got "10\.0\.0\.0\/33"/,
    ],
    [{ SSS_TRUSTED_PROXIES: '10.0.0.1, proxy.local' }, /got "proxy\.local"/],
    [{ SSS_HEADER_TIMEOUT: '0' }, /SSS_HEADER_TIMEOUT must be a number from 0\.5 to 300/],
    [{ SSS_MAX_SERVERS: '0' }, /SSS_MAX_SERVERS must be a whole number from 1/],
    [{ SSS_METRICS_TOKEN: 'a', SSS_METRICS_TOKEN_FILE: '/x' }, /set only one of SSS_METRICS_TOKEN and/],
  ])('refuses %j naming the setting and the valid values', (env, message) => {
    expect(settingErrorOf(() => loadConfig({ SSS_AUTH_SECRET: 's', ...env }, [])).message).toMatch(message);
  });

  it('takes addresses and CIDRs of both families as trusted proxies', () => {
    const config = loadConfig(
      { SSS_AUTH_SECRET: 's', SSS_TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.5,fd00::/8' },
      [],
    );
    expect(config.trustedProxies).toEqual(['10.0.0.0/8', '192.168.1.5', 'fd00::/8']);
  });
});

describe('addressKey', () => {
  it('is an IPv4 address itself and an IPv6 address its /64, however it is written', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    for (const address of [
      '2001:db8:0:1::1',
      '2001:0db8:0000:0001:ffff:ffff:ffff:ffff',
      '2001:DB8:0:1:a:b:c:d',
      '2001:db8:0:1::1.2.3.4',
    ]) {
      expect(addressKey(address)).toBe('2001:db8:0:1::/64');
    }
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('::')).toBe('0:0:0:0::/64');
    expect(addressKey('1:2:3:4:5:6:7::')).toBe('1:2:3:4::/64');
    expect(addressKey('not an address')).toBe('not an address');
  });
});

describe('ClientAddresses', () => {
  const clients = new ClientAddresses(['10.0.0.0/8', 'fd00::/8']);

  it('uses the peer when it is no trusted proxy, whatever X-Forwarded-For says', () => {
    expect(clients.of(request('203.0.113.7', '198.51.100.1'))).toBe('203.0.113.7');
    expect(new ClientAddresses().of(request('10.0.0.1', '198.51.100.1'))).toBe('10.0.0.1');
  });

  it('takes the right-most hop that is no trusted proxy', () => {
    expect(clients.of(request('10.0.0.1', '1.1.1.1, 198.51.100.1'))).toBe('198.51.100.1');
    expect(clients.of(request('10.0.0.1', '1.1.1.1, 198.51.100.1, 10.2.3.4'))).toBe('198.51.100.1');
    expect(clients.of(request('::ffff:10.0.0.1', '198.51.100.1'))).toBe('198.51.100.1');
    expect(clients.of(request('fd00::1', '2001:db8::1'))).toBe('2001:db8::1');
  });

  it('falls back to the last trusted hop when the header has none or garbage', () => {
    expect(clients.of(request('10.0.0.1'))).toBe('10.0.0.1');
    expect(clients.of(request('10.0.0.1', 'garbage, 10.0.0.9'))).toBe('10.0.0.9');
  });
});

describe('descriptor head-room', () => {
  it('reads the soft open-files limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sss-limits-'));
    const file = join(dir, 'limits');
    writeFileSync(
      file,
      'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n',
    );
    expect(openFilesLimit(file)).toBe(1024);
    writeFileSync(file, 'Max open files            unlimited            unlimited            files\n');
    expect(openFilesLimit(file)).toBeUndefined();
    expect(openFilesLimit(join(dir, 'missing'))).toBeUndefined();
    expect(openFilesLimit()).toBeGreaterThan(0);
  });

  it('keeps the head-room free and refuses one that leaves too little', () => {
    expect(connectionCeiling(20_000, 256)).toBe(19_744);
    expect(connectionCeiling(undefined, 256)).toBeUndefined();
    expect(settingErrorOf(() => connectionCeiling(400, 256)).message).toMatch(
      /SSS_DESCRIPTOR_HEADROOM \(256\) must be below half the open-files limit \(400\)/,
    );
  });
});

describe('ConnectionGuard', () => {
  it('closes connections over the per-address cap at accept and logs the flood once, then its end', async () => {
    const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
    const log = {
      warn: (fields: Record<string, unknown>, msg: string) => lines.push({ level: 'warn', fields, msg }),
      info: (fields: Record<string, unknown>, msg: string) => lines.push({ level: 'info', fields, msg }),
    } as unknown as Logger;
    const dropped: DropReason[] = [];
    const guard = new ConnectionGuard(
      { maxPerAddress: 2, ceiling: undefined, exempt: () => false },
      (reason) => dropped.push(reason),
      log,
    );
    const server = createServer();
    guard.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const sockets: Socket[] = [];
    try {
      const closedCount = () => sockets.filter((s) => s.closed).length;
      for (let i = 0; i < 5; i++) {
        const socket = connect(port, '127.0.0.1');
        socket.resume();
        socket.on('error', () => {});
        sockets.push(socket);
        await new Promise((resolve) => socket.once('connect', resolve));
      }
      await expect.poll(closedCount, { timeout: 2_000 }).toBe(3);
      expect(guard.connections).toBe(2);
      expect(dropped).toEqual(['address_limit', 'address_limit', 'address_limit']);
      expect(lines.map((l) => [l.level, l.fields.reason, l.fields.limit])).toEqual([
        ['warn', 'address_limit', 2],
      ]);
      guard.sweep(Date.now() + 10_000);
      expect(lines[1]).toMatchObject({ level: 'info', msg: 'connection flood over', fields: { dropped: 3 } });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
