// `npm run bench fanout-write`: what one coalesced write to a browser costs, two ways. 50 browsers (raw sockets in a
// child process that only reads) get 1,000 windows, 3 ms apart, of 10 messages of the seed's size, each window either
//   ws-corked: ws's send per message on a corked socket (ws frames each message for each browser), or
//   own-frames: the window framed once into one buffer, written to every socket as it is (what the dashboard does).
// Prints this process's CPU (user and system apart) and write system calls per window and browser.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { seedExample } from '@sss/protocol/fixtures';
import { type WebSocket, WebSocketServer } from 'ws';
import { textFrame } from '../dashboard/src/channels/frontends';
import { writeCalls } from './stats';

const BROWSERS = 50;
const WINDOWS = 1_000;
/** Time between windows, so the readers keep up and every write goes to the kernel at once, as in the dashboard. */
const PACE_MS = 3;
const PER_WINDOW = 10;

export async function run(): Promise<void> {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const peers: { ws: WebSocket; socket: Duplex }[] = [];
  const server = createServer();
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => peers.push({ ws, socket })),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const reader = fork(
    fileURLToPath(new URL('./fanout-frontends.ts', import.meta.url)),
    [JSON.stringify({ port, count: BROWSERS })],
    {
      execArgv: ['--import', 'tsx'],
    },
  );
  await once(reader, 'message');
  while (peers.length < BROWSERS) await new Promise((resolve) => setTimeout(resolve, 10));

  const messages = Array.from({ length: PER_WINDOW }, (_, i) =>
    Buffer.from(JSON.stringify({ ...seedExample(), serverId: `bench-${i}`, online: true, lastSeen: 0 })),
  );
  const ways: Record<string, () => void> = {
    'ws-corked': () => {
      for (const { ws, socket } of peers) {
        socket.cork();
        for (const message of messages) ws.send(message, { binary: false });
        socket.uncork();
      }
    },
    'own-frames': () => {
      const all = Buffer.concat(messages.map(textFrame));
      for (const { socket } of peers) socket.write(all);
    },
  };
  console.log(
    `${BROWSERS} browsers, ${WINDOWS} windows of ${PER_WINDOW} messages of ${messages[0]?.length} bytes`,
  );
  console.log('way         user µs/window  system µs/window  writes per window and browser');
  for (let round = 0; round < 2; round++) {
    for (const [name, write] of Object.entries(ways)) {
      const cpu = process.cpuUsage();
      const writes = writeCalls(process.pid);
      for (let i = 0; i < WINDOWS; i++) {
        write();
        await new Promise((resolve) => setTimeout(resolve, PACE_MS));
      }
      const used = process.cpuUsage(cpu);
      const calls = writeCalls(process.pid) - writes;
      if (round === 1) {
        console.log(
          `${name.padEnd(11)} ${(used.user / WINDOWS).toFixed(0).padEnd(15)} ${(used.system / WINDOWS).toFixed(0).padEnd(17)} ${(calls / WINDOWS / BROWSERS).toFixed(2)}`,
        );
      }
    }
  }
  reader.kill();
  for (const { ws } of peers) ws.terminate();
  server.close();
}
