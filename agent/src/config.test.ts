import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_ID_RULE } from '@sss/protocol';
import { settingErrorOf } from '@sss/protocol/fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseFileConfig, resolveServerId } from './config';

const dir = mkdtempSync(join(tmpdir(), 'sss-agent-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('server id', () => {
  it('is SSS_SERVER_ID, else NODE_NAME, else the hostname', () => {
    expect(resolveServerId({ serverId: 'a', nodeName: 'b' }, 'c')).toBe('a');
    expect(resolveServerId({ serverId: undefined, nodeName: 'b' }, 'c')).toBe('b');
    expect(resolveServerId({ serverId: undefined, nodeName: undefined }, 'c')).toBe('c');
  });

  it('stops with a message naming the rule when invalid, wherever it came from', () => {
    const fromEnv = settingErrorOf(() => loadConfig({ SSS_AUTH_SECRET: 's', SSS_SERVER_ID: 'web 1' }, []));
    expect(fromEnv.message).toBe(`SSS_SERVER_ID must be ${SERVER_ID_RULE}, got "web 1"`);
    const fromNode = settingErrorOf(() =>
      loadConfig({ SSS_AUTH_SECRET: 's', NODE_NAME: 'x'.repeat(254) }, []),
    );
    expect(fromNode.message).toContain(`from NODE_NAME is invalid: a server id must be ${SERVER_ID_RULE}`);
    const fromHost = settingErrorOf(() =>
      resolveServerId({ serverId: undefined, nodeName: undefined }, 'my host'),
    );
    expect(fromHost.message).toContain('"my host" from the hostname is invalid');
  });
});

describe('settings', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({ SSS_AUTH_SECRET: 's', SSS_SERVER_ID: 'n1' }, []);
    expect(c).toMatchObject({
      dashboardUrl: 'ws://127.0.0.1:8900/ws-report',
      secret: { value: 's' },
      serverId: 'n1',
      serverName: 'n1',
      intervalMs: 5_000,
      paths: { proc: '/proc', sys: '/sys', root: '/', etc: '/etc' },
      logLevel: 'info',
      health: { host: '0.0.0.0', port: 8901 },
      file: { statfsTimeoutMs: 2_000 },
    });
    expect(c.group).toBeUndefined();
  });

  it('reads the chart environment; flags mirror it and win', () => {
    const c = loadConfig(
      {
        SSS_AUTH_SECRET_FILE: '/etc/sss/secret',
        NODE_NAME: 'worker-1',
        SSS_IP: '10.0.0.7',
        SSS_COUNTRY_CODE: 'de',
        SSS_GROUP: 'k8s',
        HOST_PROC: '/host/proc',
        HOST_SYS: '/host/sys',
        HOST_ROOT: '/host/root',
        HOST_ETC: '/host/root/etc',
        SSS_HEALTH_PORT: '0',
      },
      ['--interval', '0.5', '--dashboard-url=wss://sss.example/ws-report', '--host-proc', '/elsewhere'],
    );
    expect(c).toMatchObject({
      secret: { file: '/etc/sss/secret' },
      serverId: 'worker-1',
      hostname: 'worker-1',
      ip: '10.0.0.7',
      countryCode: 'DE',
      group: 'k8s',
      intervalMs: 500,
      dashboardUrl: 'wss://sss.example/ws-report',
      paths: { proc: '/elsewhere', sys: '/host/sys', root: '/host/root', etc: '/host/root/etc' },
    });
    expect(c.health).toBeUndefined();
  });

  it('selects network.interfaces by SSS_NETWORK_INCLUDE and SSS_NETWORK_EXCLUDE (regular expressions)', () => {
    expect(loadConfig({ SSS_AUTH_SECRET: 's', SSS_SERVER_ID: 'n1' }, []).interfaces).toEqual({});
    const c = loadConfig({ SSS_AUTH_SECRET: 's', SSS_SERVER_ID: 'n1', SSS_NETWORK_EXCLUDE: '^wg' }, [
      '--network-include',
      '^(eth|bond)\\d+$',
    ]);
    expect(c.interfaces.include?.test('bond0')).toBe(true);
    expect(c.interfaces.include?.test('veth0')).toBe(false);
    expect(c.interfaces.exclude?.source).toBe('^wg');
    const bad = settingErrorOf(() =>
      loadConfig({ SSS_AUTH_SECRET: 's', SSS_SERVER_ID: 'n1', SSS_NETWORK_EXCLUDE: '(eth' }, []),
    );
    expect(bad.setting).toBe('SSS_NETWORK_EXCLUDE');
    expect(bad.message).toMatch(/^SSS_NETWORK_EXCLUDE must be a regular expression .* got "\(eth"/);
  });

  it.each([
    ['ws://dashboard:8900', 'ws://dashboard:8900/ws-report'],
    ['ws://dashboard:8900/', 'ws://dashboard:8900/ws-report'],
    ['wss://status.example.org', 'wss://status.example.org/ws-report'],
  ])('refuses the URL %s without a path, saying what to write', (url, fixed) => {
    const err = settingErrorOf(() => loadConfig({ SSS_AUTH_SECRET: 's', SSS_DASHBOARD_URL: url }, []));
    expect(err.setting).toBe('SSS_DASHBOARD_URL');
    expect(err.message).toBe(
      `SSS_DASHBOARD_URL must name the dashboard's report endpoint, /ws-report: got "${url}" without a path; use e.g. ${fixed}`,
    );
    // A prefix of a reverse proxy is a path like any other.
    expect(
      loadConfig(
        { SSS_AUTH_SECRET: 's', SSS_DASHBOARD_URL: `${fixed.replace('/ws-report', '')}/status/ws-report` },
        [],
      ).dashboardUrl,
    ).toMatch(/\/status\/ws-report$/);
  });

  it('rejects bad values naming the setting and the valid values', () => {
    expect(settingErrorOf(() => loadConfig({}, [])).message).toContain(
      'SSS_AUTH_SECRET or SSS_AUTH_SECRET_FILE is required',
    );
    expect(
      settingErrorOf(() => loadConfig({ SSS_AUTH_SECRET: 'a', SSS_AUTH_SECRET_FILE: 'b' }, [])).message,
    ).toContain('only one of');
    expect(
      settingErrorOf(() => loadConfig({ SSS_AUTH_SECRET: 's', SSS_DASHBOARD_URL: 'http://x/ws-report' }, []))
        .message,
    ).toBe(
      'SSS_DASHBOARD_URL must be a ws:// or wss:// URL such as ws://127.0.0.1:8900/ws-report, got "http://x/ws-report"',
    );
    expect(
      settingErrorOf(() => loadConfig({ SSS_AUTH_SECRET: 's', SSS_INTERVAL: '0' }, [])).message,
    ).toContain('SSS_INTERVAL must be a number from 0.1 to 3600');
    expect(
      settingErrorOf(() => loadConfig({ SSS_AUTH_SECRET: 's', SSS_HEALTH_PORT: '70000' }, [])).setting,
    ).toBe('SSS_HEALTH_PORT');
    expect(
      settingErrorOf(() => loadConfig({ SSS_AUTH_SECRET: 's', SSS_LOG_LEVEL: 'loud' }, [])).message,
    ).toContain('trace, debug, info, warn, error, fatal, silent');
    expect(
      settingErrorOf(() => loadConfig({ SSS_AUTH_SECRET: 's', SSS_CONFIG: join(dir, 'missing.yaml') }, []))
        .message,
    ).toContain('SSS_CONFIG: cannot read');
  });
});

describe('SSS_CONFIG file', () => {
  it('selects the interface and filesystems', () => {
    const file = join(dir, 'agent.yaml');
    writeFileSync(
      file,
      [
        'network:',
        '  interface: bond0',
        'disks:',
        '  excludeMountPoints: ["^/mnt/scratch($|/)"]',
        '  excludeFsTypes: ["^zfs$"]',
        '  statfsTimeoutMs: 500',
      ].join('\n'),
    );
    const c = loadConfig({ SSS_AUTH_SECRET: 's', SSS_CONFIG: file }, []);
    expect(c.file.interfaceName).toBe('bond0');
    expect(c.file.statfsTimeoutMs).toBe(500);
    expect(c.file.filter.excludeMountPoints.some((r) => r.test('/mnt/scratch'))).toBe(true);
    expect(c.file.filter.excludeMountPoints.some((r) => r.test('/var/lib/kubelet/pods/x'))).toBe(true);
    expect(c.file.filter.excludeFsTypes.some((r) => r.test('zfs'))).toBe(true);
    expect(parseFileConfig('disks:\n  mountPoints: [/, /data]\n', 'f').filter.mountPoints).toEqual([
      '/',
      '/data',
    ]);
    expect(parseFileConfig('', 'f').interfaceName).toBeUndefined();
  });

  it('rejects unknown keys and bad values with the valid ones', () => {
    expect(settingErrorOf(() => parseFileConfig('disk: {}\n', 'a.yaml')).message).toBe(
      'a.yaml: unknown key "disk"; valid keys: network, disks',
    );
    expect(settingErrorOf(() => parseFileConfig('disks:\n  mountpoints: []\n', 'a.yaml')).message).toBe(
      'a.yaml: unknown key "disks.mountpoints"; valid keys: mountPoints, excludeMountPoints, excludeFsTypes, statfsTimeoutMs',
    );
    expect(
      settingErrorOf(() => parseFileConfig('disks:\n  excludeFsTypes: ["("]\n', 'a.yaml')).message,
    ).toContain('disks.excludeFsTypes has an invalid regular expression "("');
    expect(
      settingErrorOf(() => parseFileConfig('disks:\n  statfsTimeoutMs: 0\n', 'a.yaml')).message,
    ).toContain('from 10 to 60000');
    expect(settingErrorOf(() => parseFileConfig('network: [eth0]\n', 'a.yaml')).message).toContain(
      'network must be a mapping with keys interface',
    );
    expect(settingErrorOf(() => parseFileConfig('a: [\n', 'a.yaml')).message).toContain(
      'a.yaml is not valid YAML',
    );
  });
});
