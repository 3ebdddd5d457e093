// The fan-out benchmark's reference floor: a bare relay. It checks the agents' secret and forwards each report's
// bytes to every browser with one send each: no validation, no state, no snapshot, no coalescing.
import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';

const secret = process.env.SSS_AUTH_SECRET ?? '';
const agents = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
const browsers = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const frontends = new Set<WebSocket>();

const server = createServer((_req, res) => res.writeHead(404).end());
server.on('upgrade', (req, socket, head) => {
  socket.on('error', () => {});
  if (req.url?.startsWith('/ws-report')) {
    agents.handleUpgrade(req, socket, head, (ws) => {
      if (req.headers['x-auth-secret'] !== secret) {
        ws.close(1008, 'authentication failed');
        return;
      }
      ws.on('message', (data: Buffer) => {
        for (const frontend of frontends) {
          if (frontend.readyState === WebSocket.OPEN) frontend.send(data, { binary: false });
        }
      });
      ws.on('error', () => {});
    });
  } else if (req.url?.startsWith('/ws-frontend')) {
    browsers.handleUpgrade(req, socket, head, (ws) => {
      frontends.add(ws);
      ws.on('close', () => frontends.delete(ws));
      ws.on('error', () => {});
    });
  } else socket.destroy();
});
server.listen(Number(process.env.SSS_PORT ?? 0), process.env.SSS_HOST ?? '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(JSON.stringify({ level: 30, msg: 'listening', port }));
});
// A normal exit, so that --cpu-prof writes its profile.
process.on('SIGTERM', () => process.exit(0));
