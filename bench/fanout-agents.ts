// A process of simulated agents for the fan-out benchmark: opens `count` agent connections and sends the seed's
// report from each every interval, phases spread evenly. `timestamp` carries the send time (µs precision) so the
// frontends can measure delivery latency on this machine's one clock. It counts the reports sent inside the measured
// window, so that the browsers' receipts of exactly those tell what was lost.
import { seedExample } from '@sss/protocol/fixtures';
import { WebSocket } from 'ws';

const { url, secret, first, count, intervalMs } = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  secret: string;
  first: number;
  count: number;
  intervalMs: number;
};
const CONNECT_CONCURRENCY = 100;

function connect(id: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { 'X-AUTH-SECRET': secret, 'X-SERVER-ID': id } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('close', (code, reason) => {
      if (code !== 1001) console.error(`agent ${id} closed: ${code} ${reason.toString()}`);
    });
  });
}

/** Reports sent with a send time inside the measured window (wall-clock milliseconds, from inclusive). */
let window = { from: Number.POSITIVE_INFINITY, to: Number.POSITIVE_INFINITY };
let sent = 0;
const sockets: WebSocket[] = [];
for (let i = 0; i < count; i += CONNECT_CONCURRENCY) {
  const batch = Array.from(
    { length: Math.min(CONNECT_CONCURRENCY, count - i) },
    (_, j) => `bench-${first + i + j}`,
  );
  sockets.push(...(await Promise.all(batch.map(connect))));
}
process.send?.({ type: 'ready' });

// The report is built once per agent; only the timestamp changes.
const templates = sockets.map((_, i) => {
  const text = JSON.stringify({ ...seedExample(), serverId: `bench-${first + i}`, timestamp: 0 });
  const at = text.lastIndexOf('"timestamp":0');
  return [text.slice(0, at + '"timestamp":'.length), text.slice(at + '"timestamp":0'.length)] as const;
});
sockets.forEach((ws, i) => {
  const [head, tail] = templates[i] ?? ['', ''];
  const send = () => {
    if (ws.readyState !== WebSocket.OPEN) return;
    const now = performance.timeOrigin + performance.now();
    ws.send(head + (now / 1000).toFixed(6) + tail);
    if (now >= window.from && now < window.to) sent++;
  };
  setTimeout(
    () => {
      send();
      setInterval(send, intervalMs);
    },
    (i / sockets.length) * intervalMs,
  );
});

process.on('message', (message: { type: string; from?: number; to?: number }) => {
  if (message.type === 'start') {
    // From now on, every report counts (bench/cluster.ts).
    window = { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY };
    sent = 0;
  } else if (message.type === 'window') {
    window = { from: message.from ?? 0, to: message.to ?? 0 };
    sent = 0;
  } else if (message.type === 'stop') process.send?.({ type: 'result', sent });
});
