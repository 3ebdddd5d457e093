import { createServer, type Server } from 'node:http';
import { Paths } from '@sss/protocol';

/** GET /healthz: 200 while `alive()` (the collection loop keeps cycling), else 503; for the liveness probe. */
export function startHealthServer(host: string, port: number, alive: () => boolean): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== Paths.healthz) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const ok = alive();
    res
      .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: ok ? 'ok' : 'collection loop stalled' }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
