import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { CloseCode, CloseReason, Paths, SettingError } from '@sss/protocol';
import { SharedSecret } from '@sss/protocol/secret-file';
import type { Logger } from 'pino';
import { Authenticator, FailureLimiter, secretsEqual } from './auth';
import { AgentChannel } from './channels/agents';
import { FrontendChannel } from './channels/frontends';
import type { DashboardConfig } from './config';
import { createApp, presentedToken } from './http';
import { Hub } from './hub/hub';
import { nodesOnly } from './kubernetes/id-policy';
import { kubeConfigFor } from './kubernetes/kube-config';
import { NodeWatcher } from './kubernetes/node-watcher';
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

/** The Node watcher when SSS_KUBERNETES resolves to on; throws SettingError for a policy that needs one. */
async function nodeWatcherFor(
  config: DashboardConfig,
  hub: Hub,
  log: Logger,
): Promise<NodeWatcher | undefined> {
  const kubeConfig = await kubeConfigFor(config.kubernetes, process.env);
  if (!kubeConfig) {
    if (config.idPolicy === 'nodes') {
      throw new SettingError(
        'SSS_ID_POLICY',
        'SSS_ID_POLICY=nodes needs Kubernetes (a pod ServiceAccount or KUBECONFIG, and SSS_KUBERNETES auto or on); ' +
          'valid values: any, nodes',
      );
    }
    return undefined;
  }
  log.info(
    { server: kubeConfig.getCurrentCluster()?.server, idPolicy: config.idPolicy },
    'kubernetes: watching nodes',
  );
  return NodeWatcher.create(
    kubeConfig,
    { upsert: (node) => hub.upsertNode(node), remove: (name) => hub.removeNode(name) },
    log,
  );
}

export async function createDashboard(config: DashboardConfig, log: Logger): Promise<Dashboard> {
  const hub = new Hub({
    intervalSeconds: config.interval,
    historySize: config.historySize,
    servers: config.servers,
  });
  const nodes = await nodeWatcherFor(config, hub, log);
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
    {
      maxMessageSize: config.maxMessageSize,
      heartbeatTimeoutMs: config.heartbeatTimeout * 1000,
      admit: nodes && config.idPolicy === 'nodes' ? nodesOnly(nodes) : undefined,
    },
    {
      report: () => metrics.reports.inc(),
      rejected: (reason) => metrics.reject(reason),
      authFailure: () => metrics.authFailures.inc(),
      rateLimited: () => metrics.rateLimited.inc(),
      refused: (reason) => metrics.refused.inc({ reason }),
    },
    log,
  );
  const frontendChannel = new FrontendChannel(hub, log);
  const metrics = new Metrics({
    hub,
    agentConnections: () => agentChannel.size,
    frontendConnections: () => frontendChannel.size,
    frontendBacklog: () => frontendChannel.backlog(),
    kubernetes: nodes,
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
          nodes?.start();
          resolve(server.address() as AddressInfo);
        });
      }),
    close: async () => {
      ready = false;
      for (const timer of timers) clearInterval(timer);
      secret.stop();
      nodes?.stop();
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
