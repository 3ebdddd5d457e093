// Issue 2, acceptance 10: configuration from env, flags and the SSS_CONFIG YAML; the secret file is re-read; every
// invalid setting stops the program with exit code 1 and a message naming the setting and the valid values.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedExample } from '@sss/protocol/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { closed, connectReporter, FrontendClient, opened, sendReport } from './support/clients';
import { dashboardMain } from './support/paths';
import { startDashboard, startProgram, stopAll } from './support/processes';

function tempFile(name: string, content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sss-config-')), name);
  writeFileSync(file, content);
  return file;
}

describe('dashboard configuration', () => {
  afterEach(stopAll);

  it('accepts only the servers SSS_CONFIG lists, with their own secrets and overrides', async () => {
    const file = tempFile(
      'servers.yaml',
      [
        'servers:',
        '  - id: web-1',
        '    name: Frontend One',
        '    group: edge',
        '    countryCode: de',
        '    location: Frankfurt',
        '    secret: web-1-only',
        '  - id: db-1',
      ].join('\n'),
    );
    const dashboard = await startDashboard({ SSS_CONFIG: file });
    const watcher = new FrontendClient(dashboard.wsUrl);
    await watcher.open();

    const stranger = connectReporter(dashboard.wsUrl, 'stranger', dashboard.secret);
    expect(await closed(stranger)).toEqual({ code: 1008, reason: 'authentication failed' });
    const sharedForWeb = connectReporter(dashboard.wsUrl, 'web-1', dashboard.secret);
    expect(await closed(sharedForWeb)).toEqual({ code: 1008, reason: 'authentication failed' });

    const web = connectReporter(dashboard.wsUrl, 'web-1', 'web-1-only');
    const db = connectReporter(dashboard.wsUrl, 'db-1', dashboard.secret);
    await Promise.all([opened(web), opened(db)]);
    sendReport(web, { ...seedExample(), serverId: 'web-1' });
    sendReport(db, { ...seedExample(), serverId: 'db-1', serverName: 'Database' });
    const webInfo = await watcher.waitFor((m) => m.serverId === 'web-1');
    expect(webInfo.info).toMatchObject({
      serverName: 'Frontend One',
      group: 'edge',
      countryCode: 'DE',
      location: 'Frankfurt',
      ip: '123.45.67.89',
    });
    const dbInfo = await watcher.waitFor((m) => m.serverId === 'db-1');
    expect(dbInfo.info).toMatchObject({ serverName: 'Database', group: 'production', countryCode: 'CN' });
  });

  it('re-reads SSS_AUTH_SECRET_FILE when the file changes', async () => {
    const file = tempFile('secret', 'old-secret\n');
    const dashboard = await startDashboard({ SSS_AUTH_SECRET_FILE: file, SSS_AUTH_SECRET: '' });
    const before = connectReporter(dashboard.wsUrl, 'node-1', 'old-secret');
    await opened(before);

    writeFileSync(file, 'new-secret\n');
    await dashboard.waitForLog((l) => l.msg === 'shared secret reloaded', 10_000);
    const old = connectReporter(dashboard.wsUrl, 'node-2', 'old-secret');
    expect(await closed(old)).toEqual({ code: 1008, reason: 'authentication failed' });
    const fresh = connectReporter(dashboard.wsUrl, 'node-2', 'new-secret');
    await opened(fresh);
    // A connection made with the old secret is not cut by the rotation.
    expect(before.readyState).toBe(before.OPEN);
  });

  it('takes flags that mirror the environment, and flags win', async () => {
    // With SSS_LOG_LEVEL=warn from the environment there would be no `listening` line to wait for.
    const env = { SSS_INTERVAL: '60', SSS_LOG_LEVEL: 'warn' };
    const dashboard = await startDashboard(env, ['--interval', '0.2', '--log-level=info']);
    const reporter = connectReporter(dashboard.wsUrl, 'node-1', dashboard.secret);
    await opened(reporter);
    const watcher = new FrontendClient(dashboard.wsUrl);
    await watcher.open();
    sendReport(reporter, { ...seedExample(), serverId: 'node-1' });
    // 3 x 0.2 s without a report: offline, which the 60 s of the environment would give after 180 s only (the
    // wait leaves a busy machine time and stays far below that).
    await watcher.waitFor((m) => !m.online, 20_000);
    expect(dashboard.lines.some((l) => l.msg === 'agent connected')).toBe(true);
    expect(dashboard.lines.some((l) => l.level === 20)).toBe(false); // no debug lines at info
  });

  it.each([
    [{ SSS_PORT: 'http' }, [], 'SSS_PORT must be a whole number from 0 to 65535, got "http"'],
    [{}, ['--port', '99999'], '--port must be a whole number from 0 to 65535, got "99999"'],
    [
      { SSS_LOG_LEVEL: 'verbose' },
      [],
      'SSS_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, got "verbose"',
    ],
    [{ SSS_INTERVAL: '0' }, [], 'SSS_INTERVAL must be a number from 0.1 to 3600, got "0"'],
    [
      { SSS_AUTH_SECRET: '' },
      [],
      'SSS_AUTH_SECRET or SSS_AUTH_SECRET_FILE is required (the secret agents send)',
    ],
    [
      { SSS_AUTH_SECRET: '', SSS_AUTH_SECRET_FILE: '/nonexistent/secret' },
      [],
      'SSS_AUTH_SECRET_FILE: cannot read',
    ],
    [{}, ['--colour', 'red'], 'unknown option "--colour"; valid options: --port, --host,'],
    [{ SSS_CONFIG: '/nonexistent/servers.yaml' }, [], 'SSS_CONFIG: cannot read "/nonexistent/servers.yaml"'],
  ])('exits 1 on %j %j naming the setting', async (env, args, message) => {
    const program = startProgram(
      'dashboard',
      dashboardMain,
      { SSS_AUTH_SECRET: 's', SSS_PORT: '0', ...env },
      args,
    );
    const exit = await program.exited;
    expect(exit.code).toBe(1);
    expect(program.stderr.join('')).toContain(`sss-dashboard: ${message}`);
  });

  it('exits 1 on a server list with an unknown key, naming file, entry and the valid keys', async () => {
    const file = tempFile('servers.yaml', 'servers:\n  - id: web-1\n    nmae: typo\n');
    const program = startProgram('dashboard', dashboardMain, { SSS_AUTH_SECRET: 's', SSS_CONFIG: file });
    expect((await program.exited).code).toBe(1);
    expect(program.stderr.join('')).toContain(
      `SSS_CONFIG (${file}): servers[0]: unknown key "nmae"; valid keys: id, name, group, countryCode, location, secret`,
    );
  });

  it('exits 1 with one line naming SSS_PORT when the port is in use, like any other bad setting', async () => {
    const first = await startDashboard();
    const second = startProgram('dashboard', dashboardMain, {
      SSS_AUTH_SECRET: 's',
      SSS_HOST: '127.0.0.1',
      SSS_PORT: String(first.port),
    });
    expect((await second.exited).code).toBe(1);
    expect(second.stderr.join('')).toBe(
      `sss-dashboard: SSS_PORT: port ${first.port} on 127.0.0.1 is already in use (another program, or this one running twice); set SSS_PORT to a free port\n`,
    );
    expect(second.lines.filter((l) => l.level !== undefined && l.level >= 50)).toEqual([]);
  });

  it('exits 1 naming SSS_HOST when the address is not one of this machine', async () => {
    const program = startProgram('dashboard', dashboardMain, {
      SSS_AUTH_SECRET: 's',
      SSS_HOST: '192.0.2.1',
      SSS_PORT: '0',
    });
    expect((await program.exited).code).toBe(1);
    expect(program.stderr.join('')).toMatch(
      /^sss-dashboard: SSS_HOST: 192\.0\.2\.1 is no address of this machine/,
    );
  });
});
