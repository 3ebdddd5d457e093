import {
  AGENT_BACKOFF,
  type BackoffPolicy,
  backoffDelay,
  CloseCode,
  CloseReason,
  Headers,
  Heartbeat,
  type ServerInfo,
} from '@sss/protocol';
import type { Logger } from './logger';
import { CLOSED, OPEN, WebSocket } from './websocket';

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
 * The WebSocket client of /ws-report: connects with X-AUTH-SECRET and X-SERVER-ID, sends the latest report,
 * pings every 30 s and reconnects when no pong came within 45 s, and retries with the seed's backoff
 * (3 s x 1.2 per attempt, capped at 600 s, with jitter), reset after a connection the dashboard accepted.
 */
export class Reporter {
  private ws?: WebSocket;
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private pongTimer?: NodeJS.Timeout;
  private latest?: string;
  private stopped = false;
  private readonly heartbeat: { pingIntervalMs: number; pongTimeoutMs: number };
  private readonly backoff: BackoffPolicy;

  constructor(private readonly options: ReporterOptions) {
    this.heartbeat = options.heartbeat ?? Heartbeat;
    this.backoff = options.backoff ?? AGENT_BACKOFF;
  }

  get connected(): boolean {
    return this.ws?.readyState === OPEN;
  }

  start(): void {
    this.connect();
  }

  /** Sends the report now if connected; it is also the first message of the next connection. */
  send(info: ServerInfo): void {
    this.latest = JSON.stringify(info);
    this.flush();
  }

  /** Skips a pending backoff wait (e.g. after the secret changed). */
  reconnectNow(): void {
    if (this.stopped || !this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.attempt = 0;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    if (!ws || ws.readyState === CLOSED) return;
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.close(CloseCode.goingAway, 'agent shutting down');
    const timer = setTimeout(() => ws.terminate(), 2_000);
    await closed;
    clearTimeout(timer);
  }

  private flush(): void {
    const ws = this.ws;
    if (this.latest && ws?.readyState === OPEN && ws.bufferedAmount < MAX_BUFFERED_BYTES) {
      ws.send(this.latest);
    }
  }

  private connect(): void {
    const { url, serverId, log } = this.options;
    this.retryTimer = undefined;
    const ws = new WebSocket(url, {
      headers: { [Headers.authSecret]: this.options.secret(), [Headers.serverId]: serverId },
      handshakeTimeout: this.options.handshakeTimeoutMs ?? 10_000,
    });
    this.ws = ws;
    let opened = false;
    let failure: string | undefined;
    ws.on('open', () => {
      opened = true;
      log.info({ url }, 'connected');
      this.startHeartbeat(ws);
      this.flush();
    });
    ws.on('pong', () => {
      clearTimeout(this.pongTimer);
      this.pongTimer = undefined;
    });
    ws.on('error', (err) => {
      failure = err.message;
    });
    ws.on('close', (code, reason) => {
      this.stopHeartbeat();
      if (opened && !REFUSALS.has(code)) this.attempt = 0;
      if (this.stopped) {
        log.info({ code, reason }, 'disconnected');
        return;
      }
      const retryInMs = Math.round(backoffDelay(this.attempt++, this.backoff, this.options.random));
      if (opened) log.info({ code, reason, retryInMs }, 'disconnected');
      else log.warn({ url, err: failure, retryInMs }, 'connection failed');
      if (code === CloseCode.policyViolation && reason === CloseReason.authenticationFailed) {
        log.error(
          { url, retryInMs },
          'authentication failed: the dashboard rejected the secret; check SSS_AUTH_SECRET / SSS_AUTH_SECRET_FILE',
        );
      } else if (code === CloseCode.replaced) {
        log.warn('another agent connected with the same server id; set a unique SSS_SERVER_ID');
      }
      this.retryTimer = setTimeout(() => this.connect(), retryInMs);
    });
  }

  private startHeartbeat(ws: WebSocket): void {
    this.pingTimer = setInterval(() => {
      ws.ping();
      this.pongTimer ??= setTimeout(() => {
        this.options.log.warn(
          { timeoutMs: this.heartbeat.pongTimeoutMs },
          'no pong from the dashboard in time; reconnecting',
        );
        ws.terminate();
      }, this.heartbeat.pongTimeoutMs);
    }, this.heartbeat.pingIntervalMs);
  }

  private stopHeartbeat(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
  }
}
