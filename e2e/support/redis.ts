import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { freePort } from './ports';
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
  /** SIGTERM and wait; the port stays this server's to start again with `start`. */
  stop(): Promise<void>;
  /** Sends the server a signal, e.g. SIGSTOP to make it hang with its connections open, SIGCONT to go on. */
  signal(signal: NodeJS.Signals): void;
  /** Starts it again on the same port (after `stop`), empty: no persistence. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

/** PEM files of the server's certificate, its key and the CA that signed it. */
export interface RedisTls {
  cert: string;
  key: string;
  ca: string;
}

function answersPing(port: number, tls: RedisTls | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls
      ? connectTls({ port, host: '127.0.0.1', ca: readFileSync(tls.ca) })
      : connect(port, '127.0.0.1');
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Debian's redis-server on a loopback port, without persistence, its working folder in a temp folder. `args` are
 * extra server options, e.g. ['--requirepass', 'x']; with `tls` it speaks TLS only on that port.
 */
export async function startRedis(args: string[] = [], tls?: RedisTls): Promise<RedisServer> {
  if (!redisServerPath) throw new Error('redis-server is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'sss-redis-'));
  const port = await freePort();
  let program: Program | undefined;
  const launch = async () => {
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
        throw new Error(`redis-server did not answer on ${port}:\n${started.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async () => {
    await program?.stop('SIGTERM');
  };
  await launch();
  return {
    port,
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    output: () => program?.output() ?? '',
    pid: () => program?.child.pid,
    stop,
    signal: (signal) => program?.child.kill(signal),
    start: launch,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
