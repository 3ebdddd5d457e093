// Issue 3, acceptance 9: the systemd unit in deploy/systemd. systemd itself does not run as PID 1 on this
// machine, so the unit is checked with `systemd-analyze verify`, and the agent is run the way the unit runs it:
// as an unprivileged user, with the settings from an EnvironmentFile written as the README says, against a
// real dashboard.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FrontendServerInfo } from '@sss/protocol';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FrontendClient } from './support/clients';
import { agentMain, repoRoot } from './support/paths';
import { Program, startDashboard, stopAll } from './support/processes';
import { findTool } from './support/tools';

const unitFile = join(repoRoot, 'deploy/systemd/sss-agent.service');
const unit = readFileSync(unitFile, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'sss-systemd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every `Key=value` of the [Service] section, in order. */
function serviceSettings(): [string, string][] {
  const section = unit.slice(unit.indexOf('[Service]'), unit.indexOf('[Install]'));
  return section
    .split('\n')
    .filter((line) => /^[A-Za-z]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
}

/** An EnvironmentFile as systemd reads it: KEY=VALUE lines, # comments. */
function environmentFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('deploy/systemd/sss-agent.service', () => {
  afterEach(stopAll);

  it('is hardened: a dynamic user, a read-only system, the secret from an EnvironmentFile, restarted always', () => {
    const settings = new Map(serviceSettings());
    expect(settings.get('DynamicUser')).toBe('yes');
    expect(settings.get('ProtectSystem')).toBe('strict');
    expect(settings.get('ReadOnlyPaths')).toBe('/');
    expect(settings.get('ProtectHome')).toBe('read-only');
    expect(settings.get('EnvironmentFile')).toBe('/etc/sss/agent.env');
    expect(settings.get('Restart')).toBe('always');
    expect(settings.get('NoNewPrivileges')).toBe('yes');
    expect(settings.get('CapabilityBoundingSet')).toBe('');
    // The agent must see the host's /proc/1 (its mount table): /proc may not be hidden.
    expect(settings.has('ProtectProc')).toBe(false);
    expect(settings.get('ExecStart')).toBe(
      '/usr/bin/node --lite-mode /opt/simple-server-status/agent/dist/main.js',
    );
  });

  const analyze = findTool('systemd-analyze');
  it.skipIf(!analyze)('passes systemd-analyze verify', () => {
    const copy = join(dir, 'sss-agent.service');
    writeFileSync(copy, unit.replace('/opt/simple-server-status/agent/dist/main.js', agentMain));
    const output = execFileSync(analyze ?? 'systemd-analyze', ['verify', copy], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(output).toBe('');
  });

  const setpriv = findTool('setpriv');
  it.skipIf(!setpriv)(
    'reports this host as an unprivileged user with the settings of agent.env',
    async () => {
      const dashboard = await startDashboard();
      const watcher = new FrontendClient(dashboard.wsUrl);
      await watcher.open();
      // agent.env as the README tells the operator to write it (0600, read by systemd as root).
      const envFile = join(dir, 'agent.env');
      writeFileSync(
        envFile,
        `# written by the operator\nSSS_AUTH_SECRET=${dashboard.secret}\nSSS_DASHBOARD_URL=${dashboard.wsUrl}/ws-report\nSSS_GROUP=plain-hosts\nSSS_HEALTH_PORT=0\n`,
      );
      chmodSync(envFile, 0o600);
      const unitEnv = Object.fromEntries(
        serviceSettings()
          .filter(([key]) => key === 'Environment')
          .map(([, value]) => value.split('=') as [string, string]),
      );
      // The process itself cannot read the file; systemd hands it the variables, as here.
      const child = spawn(
        setpriv ?? 'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          '--no-new-privs',
          process.execPath,
          '--lite-mode',
          agentMain,
        ],
        {
          env: { PATH: '/usr/bin:/bin', ...unitEnv, ...environmentFile(readFileSync(envFile, 'utf8')) },
          stdio: ['ignore', 'pipe', 'pipe'],
          cwd: '/',
        },
      );
      const agent = new Program('agent as nobody', child);
      try {
        await agent.waitForLog((l) => l.msg === 'connected');
        const { info } = await watcher.waitFor((m) => m.serverId === hostname(), 10_000);
        const report = info as FrontendServerInfo;
        expect(report.group).toBe('plain-hosts');
        expect(report.disk.map((d) => d.path)).toContain('/');
        expect(report.memory.total).toBeGreaterThan(0);
        expect(report.network.interfaceName).not.toBe('');
        expect(agent.lines.filter((l) => (l.level ?? 0) >= 40)).toEqual([]);
      } finally {
        await agent.stop();
      }
    },
  );
});
