import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface FloodOptions {
  port: number;
  /** Source address of every connection (any of 127/8 on Linux). */
  from: string;
  count: number;
  /** Each socket sends this much of a request and then nothing; nothing at all when absent. */
  partial?: string;
}

export interface FloodState {
  /** Sockets that connected (and maybe were closed by the server at once). */
  connected: number;
  /** Connection attempts that failed (refused, reset, timed out). */
  failed: number;
  /** Sockets the server closed. */
  closed: number;
}

// Runs in a process of its own, so its sockets do not count against the test runner's open-files limit.
const FLOODER = `
const net = require('node:net');
const [port, from, count, partial] = [Number(process.argv[1]), process.argv[2], Number(process.argv[3]), process.argv[4]];
const state = { connected: 0, failed: 0, closed: 0 };
const report = () => process.stdout.write(JSON.stringify(state) + '\\n');
setInterval(report, 100);
let started = 0;
function next() {
  // At most 500 handshakes in flight, so the listen backlog is not what is tested.
  while (started < count && started - state.connected - state.failed < 500) {
    started++;
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
    let up = false;
    socket.on('connect', () => { up = true; state.connected++; if (partial) socket.write(partial); next(); });
    socket.resume(); // read whatever the server answers (a 408), so its close is seen
    socket.on('error', () => {});
    socket.on('close', () => { if (up) state.closed++; else { state.failed++; next(); } });
  }
}
next();
`;

/** Opens `count` connections from one address in a child process and follows what becomes of them. */
export class Flood {
  private readonly child: ChildProcess;
  state: FloodState = { connected: 0, failed: 0, closed: 0 };

  constructor(options: FloodOptions) {
    // Each socket is a descriptor of this process: keep count below its open-files limit (ulimit -n).
    this.child = spawn(
      process.execPath,
      ['-e', FLOODER, String(options.port), options.from, String(options.count), options.partial ?? ''],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    if (this.child.stdout) {
      createInterface({ input: this.child.stdout }).on('line', (line) => {
        this.state = JSON.parse(line) as FloodState;
      });
    }
  }

  /** Every attempt made: connected or failed. */
  get attempted(): number {
    return this.state.connected + this.state.failed;
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
