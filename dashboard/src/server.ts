import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { CloseCode, CloseReason, Paths } from '@sss/protocol';
import { SharedSecret } from '@sss/protocol/secret-file';
import type { Logger } from 'pino';
import { AgentChannel } from './channels/agents';
import { Authenticator, FailureLimiter, secretsEqual } from './auth';
import type { DashboardConfig } from './config';
import { FrontendChannel } from './channels/frontends';
import { createApp, presentedToken } from './http';
import { Hub } from './hub/hub';
import { Metrics } from './metrics/metrics';

/** How long shutdown waits for WebSocket close handshakes before cutting the rest. */
const CLOSE_GRACE_MS = 2_000;

function refuse(socket: Duplex, status: number, text: string): void {
  const body = JSON.stringify({ error: text.toLowerCase().replaceAll(' ', '_'), message: text });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

export interface Dashboard {
  hub: Hub;
  metrics: Metrics;
  listen(): Promise<AddressInfo>;
  /** Stops accepting, closes every WebSocket with 1001 and the HTTP server; resolves when done. */
  close(): Promise<void>;
}

export function createDashboard(config: DashboardConfig, log: Logger): Dashboard {
  const hub = new Hub({
    intervalSeconds: config.interval,
    historySize: config.historySize,
    servers: config.servers,
  });
  const secret = new SharedSecret(
    config.authSecretFile === undefined
      ? { value: config.authSecret ?? '' }
      : { file: config.authSecretFile },
  );
  secret.watch(log);
  const auth = new Authenticator(secret, config.servers);
  const limiter = new FailureLimiter(config.authFailureLimit, config.authFailureWindow * 1000);
  // The channels report to the metrics and the metrics read the channels; both only through callbacks.
  const agentChannel = new AgentChannel(
    hub,
    auth,
    limiter,
    { maxMessageSize: config.maxMessageSize, heartbeatTimeoutMs: config.heartbeatTimeout * 1000 },
    {
      report: () => metrics.reports.inc(),
      rejected: (reason) => metrics.reject(reason),
      authFailure: () => metrics.authFailures.inc(),
      rateLimited: () => metrics.rateLimited.inc(),
    },
    log,
  );
  const frontendChannel = new FrontendChannel(hub, log);
  const metrics = new Metrics({
    hub,
    agentConnections: () => agentChannel.size,
    frontendConnections: () => frontendChannel.size,
    frontendBacklog: () => frontendChannel.backlog(),
  });
  frontendChannel.onBroadcast = (seconds) => metrics.broadcastDuration.observe(seconds);

  let ready = false;
  const app = createApp({
    hub,
    metrics,
    auth,
    intervalSeconds: config.interval,
    frontendToken: config.frontendToken,
    uiDir: config.uiDir ?? new URL('../../ui/dist', import.meta.url).pathname,
    isReady: () => ready,
    log,
  });
  const server = createServer(app);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {}); // a peer vanishing mid-handshake is not our error
    const url = new URL(req.url ?? '/', 'http://x');
    if (!ready) return refuse(socket, 503, 'Service Unavailable');
    if (url.pathname === Paths.report) return agentChannel.handleUpgrade(req, socket, head);
    if (url.pathname === Paths.frontend) {
      const token = config.frontendToken;
      const given = presentedToken(url, req.headers.authorization);
      if (token !== undefined && (given === undefined || !secretsEqual(given, token))) {
        return refuse(socket, 401, 'Unauthorized');
      }
      return frontendChannel.handleUpgrade(req, socket, head);
    }
    refuse(socket, 404, 'Not Found');
  });

  const tick = Math.min(1_000, (config.interval * 1000) / 4);
  const timers = [
    setInterval(() => hub.sweep(), tick),
    setInterval(() => {
      agentChannel.sweep();
      frontendChannel.sweep();
      limiter.sweep();
    }, 1_000),
  ];
  for (const timer of timers) timer.unref();

  return {
    hub,
    metrics,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          ready = true;
          resolve(server.address() as AddressInfo);
        });
      }),
    close: async () => {
      ready = false;
      for (const timer of timers) clearInterval(timer);
      secret.stop();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      agentChannel.closeAll(CloseCode.goingAway, CloseReason.shuttingDown);
      frontendChannel.closeAll(CloseCode.goingAway, CloseReason.shuttingDown);
      server.closeIdleConnections();
      const grace = setTimeout(() => {
        agentChannel.terminateAll();
        frontendChannel.terminateAll();
        server.closeAllConnections();
      }, CLOSE_GRACE_MS);
      await stopped;
      clearTimeout(grace);
    },
  };
}
