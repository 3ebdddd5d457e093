import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { CloseCode, CloseReason, Paths, SettingError } from '@sss/protocol';
import { SharedSecret } from '@sss/protocol/secret-file';
import type { Logger } from 'pino';
import { Authenticator, FailureLimiter, secretsEqual } from './access/auth';
import { ClientAddresses } from './access/client-address';
import { ConnectionGuard, connectionCeiling, openFilesLimit } from './access/connection-guard';
import { AlertEvaluator, savedOf } from './alerts/evaluator';
import { alertExposition } from './alerts/metrics';
import { Notifier } from './alerts/notify';
import { background } from './background';
import { AgentChannel } from './channels/agents';
import { FrontendChannel } from './channels/frontends';
import type { DashboardConfig } from './config';
import { createApp, presentedToken } from './http';
import { Hub } from './hub/hub';
import { apiServerFor } from './kubernetes/api-server';
import { nodesOnly } from './kubernetes/id-policy';
import { NodeWatcher } from './kubernetes/node-watcher';
import { Metrics } from './metrics/metrics';
import type { ReplicaBus } from './replicas/redis-bus';
import { openHistoryStore, runHistoryStore } from './store/open';
import { sweepEvery } from './sweep-timer';

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
  const api = await apiServerFor(config.kubernetes, process.env);
  if (!api) {
    if (config.idPolicy === 'nodes') {
      throw new SettingError(
        'SSS_ID_POLICY',
        'SSS_ID_POLICY=nodes needs Kubernetes (a pod ServiceAccount or KUBECONFIG, and SSS_KUBERNETES auto or on); ' +
          'valid values: any, nodes',
      );
    }
    return undefined;
  }
  log.info({ server: api.server, idPolicy: config.idPolicy }, 'kubernetes: watching nodes');
  return new NodeWatcher(
    api,
    { upsert: (node) => hub.upsertNode(node), remove: (name) => hub.removeNode(name) },
    log,
  );
}

/** With SSS_REDIS_URL, the bus to the other replicas (the Redis client is loaded only then). */
async function replicaBusFor(
  config: DashboardConfig,
  hub: Hub,
  log: Logger,
): Promise<ReplicaBus | undefined> {
  const { redisUrl } = config;
  if (redisUrl === undefined) return undefined;
  const { ReplicaBus } = await import('./replicas/redis-bus');
  const bus = await ReplicaBus.create({ ...config, redisUrl }, hub, log);
  bus.observe(hub);
  return bus;
}

export async function createDashboard(config: DashboardConfig, log: Logger): Promise<Dashboard> {
  const hub = new Hub({
    intervalSeconds: config.interval,
    historySize: config.historySize,
    servers: config.servers,
  });
  const store = openHistoryStore(config, hub, log);
  const stopStore = store ? runHistoryStore(store) : undefined;
  const replicas = await replicaBusFor(config, hub, log);
  const notifier = new Notifier({
    receivers: config.alerts.receivers,
    externalUrl: config.alerts.externalUrl,
    log,
    // With replicas, one of them sends (each evaluates the same servers).
    sends: () => replicas?.notifies ?? true,
    sentElsewhereAt: () => replicas?.notifiesElsewhereAt ?? 0,
  });
  const alerts = new AlertEvaluator({
    rules: config.alerts.rules,
    hub,
    notify: (events) => {
      for (const e of events) {
        log.info({ alert: e.labels, fingerprint: e.fingerprint }, `alert ${e.state}`);
        store?.recordAlert(savedOf(e));
      }
      notifier.notify(events);
    },
  });
  // Firing when the dashboard stopped: firing again now, with their startsAt, and not notified again.
  const restored = alerts.restore(store?.loadFiringAlerts() ?? []);
  notifier.restore(restored);
  if (restored.length > 0) log.info({ alerts: restored.length }, 'alerts: firing alerts restored');
  log.info(
    {
      rules: config.alerts.rules.map((r) => r.name),
      receivers: config.alerts.receivers.map((r) => `${r.name} (${r.type})`),
    },
    'alerts: rules loaded',
  );
  const nodes = await nodeWatcherFor(config, hub, log);
  const secret = new SharedSecret(
    config.authSecretFile === undefined
      ? { value: config.authSecret ?? '' }
      : { file: config.authSecretFile },
  );
  secret.watch(log);
  const auth = new Authenticator(secret, config.servers);
  const metricsToken =
    config.metricsTokenFile === undefined
      ? config.metricsToken
      : new SharedSecret({ file: config.metricsTokenFile }, 'SSS_METRICS_TOKEN_FILE');
  if (metricsToken instanceof SharedSecret) metricsToken.watch(log);
  const limiter = new FailureLimiter({
    limit: config.authFailureLimit,
    addressLimit: config.authFailureAddressLimit,
    windowMs: config.authFailureWindow * 1000,
  });
  const clients = new ClientAddresses(config.trustedProxies);
  const openFiles = openFilesLimit();
  const ceiling = connectionCeiling(openFiles, config.descriptorHeadroom);
  log.info(
    { openFiles: openFiles ?? 'unlimited', maxConnections: ceiling ?? 'unlimited' },
    'connection limits (open-files limit less SSS_DESCRIPTOR_HEADROOM)',
  );
  const guard = new ConnectionGuard(
    {
      maxPerAddress: config.maxConnectionsPerAddress,
      ceiling,
      exempt: (address) => clients.isTrusted(address),
    },
    (reason) => metrics.connectionsDropped.inc({ reason }),
    log,
  );
  // The channels report to the metrics and the metrics read the channels; both only through callbacks.
  const agentChannel = new AgentChannel(
    hub,
    auth,
    limiter,
    {
      maxMessageSize: config.maxMessageSize,
      heartbeatTimeoutMs: config.heartbeatTimeout * 1000,
      maxServers: config.maxServers,
      admit: nodes && config.idPolicy === 'nodes' ? nodesOnly(nodes) : undefined,
      replicas,
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
    connections: () => guard.connections,
    kubernetes: nodes,
    alerts: () => alertExposition(alerts, notifier),
    historyStore: store,
  });
  frontendChannel.onBroadcast = (seconds) => metrics.broadcastDuration.observe(seconds);
  replicas?.registerMetrics(metrics.registry);

  let ready = false;
  const app = createApp({
    hub,
    metrics,
    alerts,
    auth,
    intervalSeconds: config.interval,
    history: {
      store,
      interval: config.interval,
      minuteRetention: config.historyMinuteRetention * 3600,
      now: Date.now,
    },
    frontendToken: config.frontendToken,
    metricsToken: metricsToken instanceof SharedSecret ? () => metricsToken.current() : () => metricsToken,
    limiter,
    clientAddress: (req) => clients.of(req),
    uiDir: config.uiDir ?? new URL('../../ui/dist', import.meta.url).pathname,
    isReady: () => ready,
    log,
  });
  const server = createServer(
    {
      headersTimeout: config.headerTimeout * 1000,
      keepAliveTimeout: config.keepAliveTimeout * 1000,
      // How often the header timeout is checked: the bound on a silent socket is the timeout plus this.
      connectionsCheckingInterval: Math.min(1_000, config.headerTimeout * 500),
    },
    app,
  );
  guard.attach(server);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {}); // a peer vanishing mid-handshake is not our error
    const url = new URL(req.url ?? '/', 'http://x');
    if (!ready) return refuse(socket, 503, 'Service Unavailable');
    if (url.pathname === Paths.report) return agentChannel.handleUpgrade(req, socket, head, clients.of(req));
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
    sweepEvery(tick, () => hub.sweep()),
    // Alert rules are evaluated here, never on the report path.
    sweepEvery(1_000, () => background(alerts.evaluate(), log, 'alert evaluation')),
    sweepEvery(
      1_000,
      () => {
        agentChannel.sweep();
        frontendChannel.sweep();
        limiter.sweep();
        guard.sweep();
      },
      (lateMs) => log.warn({ lateMs: Math.round(lateMs) }, 'process stalled; sweeps wait one turn'),
    ),
  ];

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
          replicas?.start();
          resolve(server.address() as AddressInfo);
        });
      }),
    close: async () => {
      ready = false;
      for (const timer of timers) clearInterval(timer);
      notifier.close();
      secret.stop();
      if (metricsToken instanceof SharedSecret) metricsToken.stop();
      nodes?.stop();
      await replicas?.close();
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
      await stopStore?.();
    },
  };
}
