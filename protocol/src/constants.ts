// Every number and name the agent, the dashboard and the ui must agree on.

export const DEFAULT_PORT = 8900;

export const Paths = {
  report: '/ws-report',
  frontend: '/ws-frontend',
  servers: '/api/servers',
  alerts: '/api/alerts',
  metrics: '/metrics',
  healthz: '/healthz',
  readyz: '/readyz',
} as const;

/** Header names as Node.js presents them (lower case); the seed writes them X-AUTH-SECRET and X-SERVER-ID. */
export const Headers = {
  authSecret: 'x-auth-secret',
  serverId: 'x-server-id',
} as const;

/** Query parameter carrying the optional frontend token (browsers cannot set headers on a WebSocket). */
export const FRONTEND_TOKEN_PARAM = 'token';

export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  /** The dashboard cannot decide yet (SSS_ID_POLICY=nodes before the first list of Nodes); reconnect later. */
  tryAgainLater: 1013,
  /** Private range: a newer connection with the same server id took over. */
  replaced: 4000,
} as const;

export const CloseReason = {
  authenticationFailed: 'authentication failed',
  replaced: 'replaced',
  shuttingDown: 'server shutting down',
  heartbeatTimeout: 'heartbeat timeout',
  binaryFrame: 'binary frames are not accepted',
  slowConsumer: 'slow consumer',
  tooManyMessages: 'too many messages',
  notANode: 'server id is not a Node of this cluster',
  nodesNotListed: 'Nodes not listed yet; try again later',
  /** With CloseCode.tryAgainLater: a new id while SSS_MAX_SERVERS servers are known; forgetting one makes room. */
  serverLimit: 'server limit reached (SSS_MAX_SERVERS); try again later',
} as const;

/** The longest close reason RFC 6455 allows (125 bytes of payload minus the 2-byte code). */
export const MAX_CLOSE_REASON_BYTES = 123;

/** Default report interval, seconds. */
export const REPORT_INTERVAL_SECONDS = 5;

/** A server is offline after this many report intervals without a report. */
export const OFFLINE_AFTER_INTERVALS = 3;

export const Heartbeat = {
  /** The agent pings this often. */
  pingIntervalMs: 30_000,
  /** The agent reconnects when no pong arrived this long after a ping. */
  pongTimeoutMs: 45_000,
  /** The dashboard closes an agent connection that sent nothing (data or ping) this long. */
  idleTimeoutMs: 60_000,
} as const;

export interface BackoffPolicy {
  initialMs: number;
  factor: number;
  maxMs: number;
  /** Share of the delay that is randomised away (0-1), so restarted dashboards are not hit all at once. */
  jitter: number;
}

/** The seed's reconnect schedule: 3 s, 3.6 s, 4.32 s, ... capped at 10 minutes. */
export const AGENT_BACKOFF: BackoffPolicy = { initialMs: 3_000, factor: 1.2, maxMs: 600_000, jitter: 0.2 };

/** Largest report the dashboard accepts by default, bytes. */
export const MAX_REPORT_BYTES = 256 * 1024;

/** Server ids: 1-253 characters of [A-Za-z0-9._-], so every Kubernetes node name fits. */
export const SERVER_ID_PATTERN = /^[A-Za-z0-9._-]{1,253}$/;
export const SERVER_ID_RULE = '1-253 characters of A-Z, a-z, 0-9, ".", "_" and "-"';

export function isValidServerId(id: string): boolean {
  return SERVER_ID_PATTERN.test(id);
}

/** The Kubernetes Node conditions other than Ready that mean trouble when true, in the order the ui shows them. */
export const NODE_PROBLEM_CONDITIONS = [
  'MemoryPressure',
  'DiskPressure',
  'PIDPressure',
  'NetworkUnavailable',
] as const;
