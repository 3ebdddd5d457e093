// A process of simulated browsers for the fan-out benchmark: `count` /ws-frontend connections on raw TCP sockets
// (the WebSocket handshake, then the server's unmasked frames decoded here, so the simulator costs the shared CPUs
// as little as it can). For each text frame whose report was sent inside the measured window (its `timestamp`, the
// agent's send time) it counts a receipt and records the delay from send to arrival here.
import { connect } from 'node:net';
import { LATENCY_BUCKET_MS, LATENCY_BUCKETS } from './stats';

const { port, count } = JSON.parse(process.argv[2] ?? '{}') as { port: number; count: number };

let window = { from: Number.POSITIVE_INFINITY, to: Number.POSITIVE_INFINITY };
let received = 0;
let frames = 0;
/** Delays in LATENCY_BUCKET_MS steps (a histogram: at 200,000 receipts a second a list would not fit the IPC). */
let latencies = new Uint32Array(LATENCY_BUCKETS);
let maxLatency = 0;
const TIMESTAMP = Buffer.from('"timestamp":');

/** The number after "timestamp": in payload[start, end), as milliseconds; NaN when there is none. */
function sentAt(data: Buffer, start: number, end: number): number {
  const at = data.indexOf(TIMESTAMP, start);
  if (at === -1 || at >= end) return Number.NaN;
  const i = at + TIMESTAMP.length;
  let stop = i;
  while (stop < end) {
    const c = data[stop] as number;
    if ((c < 48 || c > 57) && c !== 46) break;
    stop++;
  }
  return Number(data.toString('latin1', i, stop)) * 1000;
}

function open(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    socket.once('error', reject);
    socket.write(
      'GET /ws-frontend HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    let buffer: Buffer = Buffer.alloc(0);
    let upgraded = false;
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        if (!buffer.subarray(0, 12).toString().includes('101')) {
          reject(new Error(buffer.toString()));
          return;
        }
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        resolve();
      }
      const now = performance.timeOrigin + performance.now();
      let at = 0;
      for (;;) {
        if (buffer.length - at < 2) break;
        const short = (buffer[at + 1] as number) & 0x7f;
        const head = short === 126 ? 4 : short === 127 ? 10 : 2;
        if (buffer.length - at < head) break;
        const length =
          short === 126
            ? buffer.readUInt16BE(at + 2)
            : short === 127
              ? buffer.readUInt32BE(at + 2) * 2 ** 32 + buffer.readUInt32BE(at + 6)
              : short;
        if (buffer.length - at < head + length) break;
        if (((buffer[at] as number) & 0x0f) === 1) {
          frames++;
          const sent = sentAt(buffer, at + head, at + head + length);
          if (sent >= window.from && sent < window.to) {
            received++;
            const delay = now - sent;
            const bucket = Math.max(0, Math.min(LATENCY_BUCKETS - 1, Math.floor(delay / LATENCY_BUCKET_MS)));
            latencies[bucket] = (latencies[bucket] ?? 0) + 1;
            if (delay > maxLatency) maxLatency = delay;
          }
        }
        at += head + length;
      }
      buffer = at === buffer.length ? Buffer.alloc(0) : buffer.subarray(at);
    });
    socket.on('close', () => {
      if (!upgraded) reject(new Error('closed before the upgrade'));
    });
  });
}

await Promise.all(Array.from({ length: count }, open));
process.send?.({ type: 'ready' });

process.on('message', (message: { type: string; from?: number; to?: number }) => {
  if (message.type === 'window') {
    window = { from: message.from ?? 0, to: message.to ?? 0 };
    received = 0;
    latencies = new Uint32Array(LATENCY_BUCKETS);
    maxLatency = 0;
  } else if (message.type === 'stop') {
    const histogram: [number, number][] = [];
    latencies.forEach((n, bucket) => {
      if (n > 0) histogram.push([bucket, n]);
    });
    process.send?.({ type: 'result', received, frames, histogram, maxLatency }, () => process.exit(0));
  }
});
