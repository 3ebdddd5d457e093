import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { agentMain, dashboardMain } from './paths';
import { Recorder } from './recorder';

export interface LogLine {
  level?: number;
  msg?: string;
  [key: string]: unknown;
}

/** A program of ours started as a real process; its stdout is pino JSON, one object per line. */
export class Program {
  private readonly log = new Recorder<LogLine>();
  readonly lines: readonly LogLine[] = this.log.items;
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** After the exit, once its output is read to the end. */
  readonly closed: Promise<void>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.closed = new Promise((resolve) => child.once('close', () => resolve()));
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (text) => {
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          line = { msg: text };
        }
        this.log.push(line);
      });
    }
    child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
  }

  /** Resolves with the first log line (already seen or future) that matches, or rejects after timeoutMs. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    return this.log.waitFor(
      match,
      timeoutMs,
      () => `${this.name} logged no such line; output:\n${this.output()}`,
    );
  }

  output(): string {
    return [...this.lines.map((l) => JSON.stringify(l)), ...this.stderr].join('\n');
  }

  /** Sends the signal and waits for exit; SIGKILL after timeoutMs. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 5_000) {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill(signal);
      const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
      try {
        return await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.exited;
  }
}

const running = new Set<Program>();

export function startProgram(
  name: string,
  main: string,
  env: Record<string, string>,
  args: string[] = [],
  /** A command that runs node, e.g. ['prlimit', '--nofile=1024:1024', '--']. */
  launcher: string[] = [],
): Program {
  const [command = process.execPath, ...prefix] = [...launcher, process.execPath];
  const child = spawn(command, [...prefix, '--enable-source-maps', main, ...args], {
    env: { PATH: process.env.PATH ?? '', SSS_LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const program = new Program(name, child);
  running.add(program);
  void program.exited.then(() => running.delete(program));
  return program;
}

/** Stops every program still running; call it in afterEach/afterAll. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop('SIGKILL')));
}

export function newSecret(): string {
  return randomBytes(16).toString('hex');
}

export interface Dashboard extends Program {
  port: number;
  /** http://127.0.0.1:port */
  url: string;
  /** ws://127.0.0.1:port */
  wsUrl: string;
  secret: string;
}

/**
 * Starts dashboard/dist/main.js on an ephemeral loopback port with a fresh secret (unless env sets one) and
 * waits for its `listening` log line.
 */
export async function startDashboard(
  env: Record<string, string> = {},
  args: string[] = [],
  launcher: string[] = [],
): Promise<Dashboard> {
  const secret = env.SSS_AUTH_SECRET ?? newSecret();
  const program = startProgram(
    'dashboard',
    dashboardMain,
    { SSS_HOST: '127.0.0.1', SSS_PORT: '0', SSS_AUTH_SECRET: secret, ...env },
    args,
    launcher,
  );
  const line = await Promise.race([
    program.waitForLog((l) => l.msg === 'listening', 15_000),
    program.exited.then(({ code }) => {
      throw new Error(`dashboard exited with ${code} before listening:\n${program.output()}`);
    }),
  ]);
  const port = Number(line.port);
  return Object.assign(program, {
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    secret,
  });
}

/** Starts agent/dist/main.js reporting to the given dashboard. */
export function startAgent(
  dashboard: Dashboard,
  env: Record<string, string> = {},
  args: string[] = [],
): Program {
  return startProgram(
    'agent',
    agentMain,
    { SSS_DASHBOARD_URL: `${dashboard.wsUrl}/ws-report`, SSS_AUTH_SECRET: dashboard.secret, ...env },
    args,
  );
}
