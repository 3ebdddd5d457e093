// Issue 2, acceptance 12: a client nobody here wrote, wscat from npm, speaks both channels as the seed shows.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { seedExample } from '@sss/protocol/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { FrontendClient } from './support/clients';
import { repoRoot } from './support/paths';
import { startDashboard, stopAll } from './support/processes';

const wscatBin = join(repoRoot, 'node_modules/wscat/bin/wscat');

/**
 * Runs wscat with its stdin held open (wscat exits when stdin ends) and collects what it prints; `done` resolves
 * with everything once it exits.
 */
function wscat(args: string[]): { child: ChildProcess; output: () => string; done: Promise<string> } {
  const child = spawn(process.execPath, [wscatBin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const done = new Promise<string>((resolve) => child.once('exit', () => resolve(text)));
  return { child, output: () => text, done };
}

describe('wscat', () => {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill();
    await stopAll();
  });

  it('reports on /ws-report with -H headers and receives ServerInfo on /ws-frontend', async () => {
    const dashboard = await startDashboard();
    const listener = wscat(['-c', `${dashboard.wsUrl}/ws-frontend`]);
    children.push(listener.child);
    // wscat says nothing when it connects (but to a terminal): the dashboard's log says so. A listener still
    // starting when the reporter (-w 1) is gone would get web-1 in the snapshot, offline.
    await dashboard.waitForLog((l) => l.msg === 'frontend connected', 15_000);
    const watcher = new FrontendClient(dashboard.wsUrl);
    await watcher.open();

    const reporter = wscat([
      '-c',
      `${dashboard.wsUrl}/ws-report`,
      '-H',
      `X-AUTH-SECRET: ${dashboard.secret}`,
      '-H',
      'X-SERVER-ID: web-1',
      '-x',
      JSON.stringify(seedExample()),
      '-w',
      '1',
    ]);
    children.push(reporter.child);
    await watcher.waitFor((m) => m.serverId === 'web-1' && m.online);

    await expect.poll(() => listener.output().includes('"serverId":"web-1"'), { timeout: 5_000 }).toBe(true);
    const line =
      listener
        .output()
        .split('\n')
        .find((l) => l.includes('"serverId":"web-1"')) ?? '';
    expect(JSON.parse(line)).toEqual({ ...seedExample(), online: true, lastSeen: expect.any(Number) });
    await reporter.done;
  });

  it('shows a user at a terminal the documented close code when the secret is wrong', async () => {
    const dashboard = await startDashboard();
    // wscat prints connection events only to a terminal; util-linux `script` gives it one.
    const command = `${process.execPath} ${wscatBin} -c ${dashboard.wsUrl}/ws-report -H 'X-AUTH-SECRET: nope' -H 'X-SERVER-ID: web-1'`;
    const terminal = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(terminal);
    let screen = '';
    terminal.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    await new Promise((resolve) => terminal.once('exit', resolve));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping the terminal's colour codes
    expect(screen.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '')).toContain(
      'Disconnected (code: 1008, reason: "authentication failed")',
    );
  });
});
