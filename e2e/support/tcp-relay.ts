import { connect, createServer, type Server, type Socket } from 'node:net';

/** A loopback TCP relay to one port, which a test cuts (connections reset, new ones refused) and restores. */
export interface TcpRelay {
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Cuts one program off a server the others still reach (one replica off the shared Redis), which stopping the
 * server cannot do.
 */
export async function startTcpRelay(target: number): Promise<TcpRelay> {
  // Bound by the first listen (port 0: the system's pick, nothing can take it before), then the same on restore.
  let port = 0;
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset by cut() or by the target is the point here, not a failure.
    socket.on('error', () => undefined);
  };
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const relay = createServer((client) => {
        const upstream = connect(target, '127.0.0.1');
        track(client);
        track(upstream);
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      relay.once('error', reject);
      relay.listen(port, '127.0.0.1', () => {
        server = relay;
        const address = relay.address();
        if (typeof address === 'object' && address) port = address.port;
        resolve();
      });
    });
  const stop = async () => {
    const relay = server;
    server = undefined;
    for (const socket of sockets) socket.resetAndDestroy();
    if (relay) await new Promise<void>((resolve) => relay.close(() => resolve()));
  };
  await listen();
  return { port, cut: stop, restore: listen, close: stop };
}
