// Issue 3, acceptance 8: `npm start` in a fresh clone builds what it needs, starts the dashboard and an agent
// for this machine with a generated secret, prints the URL, and within 10 s the API lists this machine.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FrontendServerInfo } from '@sss/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/paths';

const sh = (script: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8' }).trim();

/** Processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const clone = mkdtempSync(join(tmpdir(), 'sss-fresh-clone-'));
let npmStart: ChildProcess | undefined;
afterAll(() => {
  if (npmStart?.pid && npmStart.exitCode === null && npmStart.signalCode === null) {
    process.kill(-npmStart.pid, 'SIGKILL');
  }
  rmSync(clone, { recursive: true, force: true });
});

describe('npm start', () => {
  it('in a fresh clone: builds, prints the URL, and the API lists this machine with real numbers within 10 s', async () => {
    // The committed tree only: no dist/ folders, no built ui. The dependencies `npm install` would fetch are
    // the ones this checkout installed (CI ran `npm ci` in its own fresh clone), linked instead of downloaded.
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', repoRoot, clone]);
    symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules'));
    expect(readdirSync(clone)).not.toContain('dist');

    npmStart = spawn('npm', ['start'], {
      cwd: clone,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', SSS_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so the test can press Ctrl-C like a terminal does
    });
    let output = '';
    const printed = new Promise<{ url: string; at: number }>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /SimpleServerStatus is running: (http:\/\/localhost:\d+)/.exec(output);
        if (match?.[1]) resolve({ url: match[1], at: performance.now() });
      };
      npmStart?.stdout?.on('data', onData);
      npmStart?.stderr?.on('data', onData);
      npmStart?.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
    });
    const { url, at } = await printed;

    let mine: FrontendServerInfo | undefined;
    while (!mine && performance.now() - at < 10_000) {
      const list = (await (await fetch(`${url}/api/servers`)).json()) as FrontendServerInfo[];
      mine = list.find((s) => s.serverId === hostname() && s.online);
      if (!mine) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(mine, `not listed within 10 s of the URL; output:\n${output}`).toBeDefined();
    expect(mine?.memory.total).toBe(Number(sh("awk '/^MemTotal:/ {print $2}' /proc/meminfo")) * 1024);
    expect(mine?.memory.used).toBeGreaterThan(0);
    expect(mine?.cpu.cores).toBe(Number(sh("grep -c '^cpu[0-9]' /proc/stat")));
    expect(mine?.disk.find((d) => d.path === '/')?.total).toBeGreaterThan(0);
    expect(mine?.system.kernel).toBe(sh('uname -r'));
    expect(mine?.system.uptime).toBeGreaterThan(0);
    // The ui was built and is served at the printed URL.
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(readdirSync(join(clone, 'ui/dist'))).toContain('index.html');

    // Ctrl-C stops the whole group: npm, the script, the dashboard and the agent.
    const exited = new Promise<number | null>((resolve) => npmStart?.once('exit', (code) => resolve(code)));
    process.kill(-(npmStart.pid ?? 0), 'SIGINT');
    await exited;
    await expect(fetch(`${url}/api/servers`)).rejects.toThrow();
    const deadline = performance.now() + 5_000;
    while (processesMentioning(clone).length > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(processesMentioning(clone)).toEqual([]);
    // The history store lives in .data/ of the checkout, which git ignores.
    expect(readdirSync(join(clone, '.data'))).toContain('history.db');
    expect(sh(`git -C ${clone} status --porcelain`)).not.toContain('.data');
  });
});
