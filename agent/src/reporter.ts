import {
  AGENT_BACKOFF,
  type BackoffPolicy,
  backoffDelay,
  CloseCode,
  CloseReason,
  Headers,
  Heartbeat,
  Paths,
  type ServerInfo,
} from '@sss/protocol';
import type { Logger } from './logger';
import { CLOSED, OPEN, UnexpectedResponse, WebSocket } from './websocket';

export interface ReporterOptions {
  url: string;
  serverId: string;
  /** Read at every connection attempt, so a rotated secret file takes effect on the next one. */
  secret: () => string;
  log: Logger;
  heartbeat?: { pingIntervalMs: number; pongTimeoutMs: number };
  backoff?: BackoffPolicy;
  random?: () => number;
  handshakeTimeoutMs?: number;
}

/** Close codes by which the dashboard refuses this agent; they keep the backoff growing instead of resetting it. */
const REFUSALS = new Set<number>([
  CloseCode.policyViolation,
  CloseCode.unsupportedData,
  CloseCode.invalidPayload,
  CloseCode.messageTooBig,
  CloseCode.replaced,
]);

/** A report that cannot leave because the socket is backed up is dropped rather than queued. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * One connection's progress. The dashboard sends nothing on /ws-report, but it reads frames in order and answers
 * a ping only while it keeps the connection: a pong to a ping sent after the first report means the report was
 * taken (a refusal closes the connection before the pong). So the agent knows it is accepted without anything
 * the seed lacks.
 */
interface Link {
  ws: WebSocket;
  opened: boolean;
  accepted: boolean;
  pings: number;
  pongs: number;
  /** The pong count that proves acceptance: that of the ping sent right after the first report. */
  acceptedAtPong?: number;
}

/** Seconds of a Retry-After header (a number of seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * The WebSocket client of /ws-report: connects with X-AUTH-SECRET and X-SERVER-ID, sends the latest report,
 * pings every 30 s and reconnects when no pong came within 45 s, and retries with the seed's backoff
 * (3 s x 1.2 per attempt, capped at 600 s, with jitter), reset after a connection the dashboard accepted.
 */
export class Reporter {
  private link?: Link;
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private pongTimer?: NodeJS.Timeout;
  private latest?: string;
  private stopped = false;
  /** reconnectNow() came during an attempt: if it fails, the next one is not delayed. */
  private retryAtOnce = false;
  private readonly heartbeat: { pingIntervalMs: number; pongTimeoutMs: number };
  private readonly backoff: BackoffPolicy;

  constructor(private readonly options: ReporterOptions) {
    this.heartbeat = options.heartbeat ?? Heartbeat;
    this.backoff = options.backoff ?? AGENT_BACKOFF;
  }

  /** Whether the WebSocket is open (the dashboard may still refuse the first report). */
  get connected(): boolean {
    return this.link?.ws.readyState === OPEN;
  }

  start(): void {
    this.connect();
  }

  /** Sends the report now if connected; it is also the first message of the next connection. */
  send(info: ServerInfo): void {
    this.latest = JSON.stringify(info);
    this.flush();
  }

  /**
   * Skips a pending backoff wait (e.g. after the secret changed); during an attempt not yet accepted (it may carry
   * the old secret), the retry after it fails comes at once instead of after the backoff.
   */
  reconnectNow(): void {
    if (this.stopped) return;
    if (!this.retryTimer) {
      if (!this.link?.accepted) this.retryAtOnce = true;
      return;
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.attempt = 0;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const ws = this.link?.ws;
    if (!ws || ws.readyState === CLOSED) return;
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.close(CloseCode.goingAway, 'agent shutting down');
    const timer = setTimeout(() => ws.terminate(), 2_000);
    await closed;
    clearTimeout(timer);
  }

  private flush(): void {
    const link = this.link;
    const ws = link?.ws;
    if (!link || !this.latest || ws?.readyState !== OPEN || ws.bufferedAmount >= MAX_BUFFERED_BYTES) return;
    ws.send(this.latest);
    if (link.acceptedAtPong === undefined) {
      this.ping(link);
      link.acceptedAtPong = link.pings;
    }
  }

  private ping(link: Link): void {
    link.ws.ping();
    link.pings++;
    this.pongTimer ??= setTimeout(() => {
      this.options.log.warn(
        { timeoutMs: this.heartbeat.pongTimeoutMs },
        'no pong from the dashboard in time; reconnecting',
      );
      link.ws.terminate();
    }, this.heartbeat.pongTimeoutMs);
  }

  private connect(): void {
    const { url, serverId, log } = this.options;
    this.retryTimer = undefined;
    const ws = new WebSocket(url, {
      headers: { [Headers.authSecret]: this.options.secret(), [Headers.serverId]: serverId },
      handshakeTimeout: this.options.handshakeTimeoutMs ?? 10_000,
    });
    const link: Link = { ws, opened: false, accepted: false, pings: 0, pongs: 0 };
    this.link = link;
    let failure: Error | undefined;
    ws.on('open', () => {
      link.opened = true;
      log.debug({ url }, 'connection open, waiting for the dashboard');
      this.startHeartbeat(link);
      this.flush();
    });
    ws.on('pong', () => {
      clearTimeout(this.pongTimer);
      this.pongTimer = undefined;
      link.pongs++;
      if (!link.accepted && link.acceptedAtPong !== undefined && link.pongs >= link.acceptedAtPong) {
        link.accepted = true;
        this.retryAtOnce = false;
        log.info({ url }, 'connected');
      }
    });
    ws.on('error', (err) => {
      failure = err;
    });
    ws.on('close', (code, reason) => {
      this.stopHeartbeat();
      if (link.accepted && !REFUSALS.has(code)) this.attempt = 0;
      if (this.stopped) {
        log.info({ code, reason }, 'disconnected');
        return;
      }
      if (this.retryAtOnce) this.attempt = 0;
      let retryInMs = this.retryAtOnce
        ? 0
        : Math.round(backoffDelay(this.attempt++, this.backoff, this.options.random));
      this.retryAtOnce = false;
      if (link.opened) {
        (link.accepted ? log.info : log.warn)({ code, reason, retryInMs }, 'disconnected');
        this.explainClose(code, reason, retryInMs);
      } else if (failure instanceof UnexpectedResponse) {
        const waitS = failure.status === 429 ? retryAfterSeconds(failure.headers['retry-after']) : undefined;
        // At most the backoff's cap: a longer wait (or one past setTimeout's 2^31-1 ms, which fires at once) is not
        // honoured.
        if (waitS !== undefined) retryInMs = Math.min(Math.max(retryInMs, waitS * 1000), this.backoff.maxMs);
        log.warn({ url, err: failure.message, status: failure.status, retryInMs }, 'connection failed');
        this.explainRefusal(failure.status, retryInMs);
      } else {
        log.warn({ url, err: failure?.message, retryInMs }, 'connection failed');
      }
      this.retryTimer = setTimeout(() => this.connect(), retryInMs);
    });
  }

  /** Names the likely cause of a close that is not the dashboard's normal going away. */
  private explainClose(code: number, reason: string, retryInMs: number): void {
    const { url, log } = this.options;
    if (code === CloseCode.policyViolation && reason === CloseReason.authenticationFailed) {
      log.error(
        { url, retryInMs },
        'authentication failed: the dashboard rejected the secret; check SSS_AUTH_SECRET / SSS_AUTH_SECRET_FILE',
      );
    } else if (code === CloseCode.replaced) {
      log.warn('another agent connected with the same server id; set a unique SSS_SERVER_ID');
    }
  }

  /** Names the likely cause of an HTTP answer instead of the WebSocket upgrade. */
  private explainRefusal(status: number, retryInMs: number): void {
    const { url, log } = this.options;
    if (status === 404) {
      log.error(
        { url, status, retryInMs },
        `the dashboard has no report endpoint at ${new URL(url).pathname}: check the path of SSS_DASHBOARD_URL; the dashboard listens on ${Paths.report} (e.g. ws://dashboard:8900${Paths.report})`,
      );
    } else if (status === 429) {
      log.warn(
        { url, status, retryInMs },
        `rate limited (HTTP 429): the dashboard refuses logins for a while after too many failed ones; retrying in ${Math.ceil(retryInMs / 1000)} s, as its Retry-After asks`,
      );
    }
  }

  private startHeartbeat(link: Link): void {
    this.pingTimer = setInterval(() => this.ping(link), this.heartbeat.pingIntervalMs);
  }

  private stopHeartbeat(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
  }
}
