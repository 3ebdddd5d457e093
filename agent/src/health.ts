import { createServer, type Server } from 'node:net';
import { Paths } from '@sss/protocol';

// GET /healthz for the liveness probe, answered over a plain TCP socket: node:http would cost the agent about
// 1 MiB of memory for one request line per probe. Each connection gets one answer and is closed.

/** Longest request head read before answering 431; a probe's is about 150 bytes. */
const MAX_HEAD_BYTES = 8192;

function answer(status: number, text: string, body: string): string {
  return (
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `Connection: close\r\n\r\n${body}`
  );
}

/** The answer to a request head: 200 while `alive()` (the collection loop keeps cycling), else 503. */
export function healthAnswer(head: string, alive: () => boolean): string {
  const [method, target] = head.slice(0, head.indexOf('\r\n')).split(' ');
  if (method !== 'GET' || target?.split('?')[0] !== Paths.healthz) {
    return answer(404, 'Not Found', '{"error":"not found"}');
  }
  return alive()
    ? answer(200, 'OK', '{"status":"ok"}')
    : answer(503, 'Service Unavailable', '{"status":"collection loop stalled"}');
}

/** GET /healthz: 200 while `alive()` (the collection loop keeps cycling), else 503; for the liveness probe. */
export function startHealthServer(host: string, port: number, alive: () => boolean): Promise<Server> {
  const server = createServer((socket) => {
    let head = '';
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) socket.end(healthAnswer(head, alive));
      else if (head.length > MAX_HEAD_BYTES) socket.end(answer(431, 'Request Header Fields Too Large', '{}'));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
