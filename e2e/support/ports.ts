import { createServer } from 'node:net';
import type { LogLine, Program } from './processes';

/** A loopback port that was free a moment ago, for programs that cannot be told to pick one themselves. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A program's start failed because another process bound its port between `freePort` and the program's bind. */
export class PortTaken extends Error {}

/** Whether a program's output says that its port was taken (EADDRINUSE, as redis, nginx and ours word it). */
export function saysPortTaken(output: string): boolean {
  return /already in use/i.test(output);
}

/** Waits for the log line that says `program` is up; PortTaken when it exits first, saying its port was taken. */
export async function upOnPort(program: Program, up: (line: LogLine) => boolean, timeoutMs = 20_000) {
  await Promise.race([
    program.waitForLog(up, timeoutMs),
    program.exited.then(async () => {
      await program.closed;
      const message = `${program.name} exited before it was up:\n${program.output()}`;
      throw saysPortTaken(message) ? new PortTaken(message) : new Error(message);
    }),
  ]);
}

/**
 * Starts a program on a port found free. The port is not held meanwhile, so another process may bind it first:
 * then `start` throws PortTaken and the program is started again on another free port (5 tries in all).
 */
export async function startOnFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt === 5) throw err;
    }
  }
}

/**
 * The port a Prometheus program (Prometheus, Alertmanager) bound, started with `--web.listen-address=127.0.0.1:0`:
 * it logs `msg="Listening on" address=127.0.0.1:N` on stderr once it listens.
 */
export async function portFromLog(program: Program, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = /msg="Listening on" address=127\.0\.0\.1:(\d+)/.exec(program.stderr.join(''));
    if (found) return Number(found[1]);
    if (program.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${program.name} did not say which port it listens on:\n${program.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
