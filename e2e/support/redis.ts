import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { PortTaken, saysPortTaken, startOnFreePort } from './ports';
import { Program } from './processes';
import { findTool } from './tools';

export const redisServerPath = findTool('redis-server');

export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:port, or rediss:// with TLS */
  url: string;
  /** The server's output so far, for failure messages. */
  output(): string;
  /** The running server's process id (for its CPU in benches). */
  pid(): number | undefined;
  /** SIGTERM and wait; `start` binds the same port again (free meanwhile: nothing can hold it for the server). */
  stop(): Promise<void>;
  /** Sends the server a signal, e.g. SIGSTOP to make it hang with its connections open, SIGCONT to go on. */
  signal(signal: NodeJS.Signals): void;
  /** Starts it again on the same port (after `stop`), empty: no persistence. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
  /** Sends a command, e.g. ['HLEN', 'sss:owners'], and resolves with the first line of the answer (`:3`). */
  command(...args: string[]): Promise<string | undefined>;
}

/** PEM files of the server's certificate, its key and the CA that signed it. */
export interface RedisTls {
  cert: string;
  key: string;
  ca: string;
}

/** Sends one command (RESP) and resolves with the first line of the answer; undefined when nothing answers. */
function ask(port: number, tls: RedisTls | undefined, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = tls
      ? connectTls({ port, host: '127.0.0.1', ca: readFileSync(tls.ca) })
      : connect(port, '127.0.0.1');
    const request = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write(request));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().split('\r\n')[0]);
    });
    socket.once('error', () => resolve(undefined));
  });
}

async function answersPing(port: number, tls: RedisTls | undefined): Promise<boolean> {
  return /^(\+PONG|-NOAUTH)/.test((await ask(port, tls, ['PING'])) ?? '');
}

/**
 * Debian's redis-server on a loopback port, without persistence, its working folder in a temp folder. `args` are
 * extra server options, e.g. ['--requirepass', 'x']; with `tls` it speaks TLS only on that port.
 */
export async function startRedis(args: string[] = [], tls?: RedisTls): Promise<RedisServer> {
  if (!redisServerPath) throw new Error('redis-server is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'sss-redis-'));
  let program: Program | undefined;
  const launch = async (port: number) => {
    const child = spawn(
      redisServerPath,
      [
        ...['--save', '', '--appendonly', 'no', '--bind', '127.0.0.1', '--dir', dir],
        ...(tls
          ? ['--port', '0', '--tls-port', String(port), '--tls-auth-clients', 'no']
          : ['--port', String(port)]),
        ...(tls
          ? ['--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-ca-cert-file', tls.ca]
          : []),
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const started = new Program('redis-server', child);
    program = started;
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port, tls))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await started.stop('SIGKILL');
        await started.closed;
        const output = started.output();
        const message = `redis-server did not answer on ${port}:\n${output}`;
        throw saysPortTaken(output) ? new PortTaken(message) : new Error(message);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return port;
  };
  const stop = async () => {
    await program?.stop('SIGTERM');
  };
  const port = await startOnFreePort(launch);
  return {
    port,
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    output: () => program?.output() ?? '',
    pid: () => program?.child.pid,
    stop,
    signal: (signal) => program?.child.kill(signal),
    start: async () => {
      await launch(port);
    },
    command: (...args) => ask(port, tls, args),
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
