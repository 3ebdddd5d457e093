// A process of simulated browsers for the fan-out benchmark: `count` /ws-frontend connections that record, per
// live report, the delay from the agent's send time (the report's `timestamp`) to arrival here.
import { WebSocket } from 'ws';

const { url, count } = JSON.parse(process.argv[2] ?? '{}') as { url: string; count: number };

let recording = false;
let received = 0;
const latencies: number[] = [];
const timestamp = /"timestamp":([0-9.]+)/;

await Promise.all(
  Array.from(
    { length: count },
    () =>
      new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.once('open', () => resolve());
        ws.once('error', reject);
        ws.on('message', (data: Buffer) => {
          if (!recording) return;
          received++;
          // Cheaper than JSON.parse, so the simulator costs the shared CPUs as little as it can.
          const sent = Number(timestamp.exec(data.toString('latin1'))?.[1]) * 1000;
          latencies.push(performance.timeOrigin + performance.now() - sent);
        });
      }),
  ),
);
process.send?.({ type: 'ready' });

process.on('message', (message: { type: string }) => {
  if (message.type === 'start') {
    recording = true;
    received = 0;
    latencies.length = 0;
  } else if (message.type === 'stop') {
    recording = false;
    process.send?.({ type: 'result', received, latencies }, () => process.exit(0));
  }
});
