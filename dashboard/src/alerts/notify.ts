// Notifications: each receiver has a bounded queue and one sender that works through it off the report path
// (the evaluator only appends to queues). A failed request is retried with exponential backoff; a request that
// takes longer than the receiver's timeout is abandoned and counts as failed. One notification per state change
// per alert (fingerprint); an Alertmanager also gets every firing alert again each resendInterval, as its
// clients are expected to (https://prometheus.io/docs/alerting/latest/clients/).

import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type BackoffPolicy, backoffDelay } from '@sss/protocol';
import type { Logger } from 'pino';
import { background } from '../background';
import type { ReceiverConfig, Secret } from './config';
import type { AlertEvent } from './evaluator';

/** Retry schedule of a failed send: 1 s, 2 s, 4 s, ... at most 30 s, each up to 20 % shorter. */
export const RETRY_BACKOFF: BackoffPolicy = { initialMs: 1_000, factor: 2, maxMs: 30_000, jitter: 0.2 };
/** Most alerts in one request. */
export const MAX_BATCH = 50;
/**
 * With replicas, a notice that is another replica's to send is dropped here once that replica is known alive this
 * long after the notice was queued (it evaluated the same change by then: rules every second, plus the bus's delay).
 */
export const HANDOVER_MARGIN_MS = 2_000;
/** How often a queue whose notices wait for the lease to be decided looks again. */
const TURN_WAIT_MS = 500;

/** Whether this process sends a notice queued at `queuedAt` (ms): now, never (another process does), or later. */
export type SendTurn = (queuedAt: number) => 'send' | 'drop' | 'wait';
/** A firing alert sent to an Alertmanager ends this many resend intervals later unless sent again. */
const ENDS_AFTER_RESENDS = 4;

/** One alert's state change as it is sent. Times are milliseconds since the epoch. */
export interface Notice {
  status: 'firing' | 'resolved';
  labels: Readonly<Record<string, string>>;
  annotations: { summary: string; description: string };
  startsAt: number;
  endsAt?: number;
  fingerprint: string;
  generatorURL?: string;
}

export interface ReceiverStats {
  /** Alerts delivered (a 2xx answer). */
  sent: number;
  /** Requests that failed (error, timeout or non-2xx); each is retried. */
  failed: number;
  /** Alerts given up: pushed out of a full queue. */
  dropped: number;
}

export function noticeOf(alert: AlertEvent, externalUrl: string | undefined): Notice {
  return {
    status: alert.state === 'firing' ? 'firing' : 'resolved',
    labels: alert.labels,
    annotations: { summary: alert.summary, description: alert.description },
    startsAt: alert.startsAt ?? alert.activeAt,
    ...(alert.endsAt === undefined ? {} : { endsAt: alert.endsAt }),
    fingerprint: alert.fingerprint,
    ...(externalUrl ? { generatorURL: `${externalUrl}/#/server/${encodeURIComponent(alert.serverId)}` } : {}),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The request body for a batch, by receiver type. */
export function payload(receiver: ReceiverConfig, batch: readonly Notice[], now: number): unknown {
  switch (receiver.type) {
    case 'alertmanager':
      // POST /api/v2/alerts: a firing alert ends unless it is sent again within a few resend intervals.
      return batch.map((n) => ({
        labels: n.labels,
        annotations: n.annotations,
        startsAt: iso(n.startsAt),
        endsAt: iso(n.endsAt ?? now + ENDS_AFTER_RESENDS * receiver.resendIntervalMs),
        ...(n.generatorURL ? { generatorURL: n.generatorURL } : {}),
      }));
    case 'slack': {
      const line = (n: Notice) =>
        `[${n.status.toUpperCase()}] ${n.labels.alertname} (${n.labels.severity}): ${n.annotations.summary}`;
      return {
        text: batch.map(line).join('\n'),
        blocks: batch.map((n) => ({
          type: 'section',
          text: { type: 'mrkdwn', text: `*${line(n)}*\n${n.annotations.description}` },
        })),
      };
    }
    case 'webhook':
      // Alertmanager's webhook shape, one alert per state change.
      return {
        version: '1',
        receiver: receiver.name,
        status: batch.some((n) => n.status === 'firing') ? 'firing' : 'resolved',
        alerts: batch.map((n) => ({
          status: n.status,
          labels: n.labels,
          annotations: n.annotations,
          startsAt: iso(n.startsAt),
          ...(n.endsAt === undefined ? {} : { endsAt: iso(n.endsAt) }),
          fingerprint: n.fingerprint,
          ...(n.generatorURL ? { generatorURL: n.generatorURL } : {}),
        })),
      };
  }
}

async function reveal(secret: Secret): Promise<string> {
  return 'value' in secret ? secret.value : (await readFile(secret.file, 'utf8')).trim();
}

/** Where a receiver's requests go: the configured address, for Alertmanager its alerts API. */
async function target(receiver: ReceiverConfig): Promise<string> {
  const url = await reveal(receiver.url);
  return receiver.type === 'alertmanager' ? `${url.replace(/\/+$/, '')}/api/v2/alerts` : url;
}

/**
 * POSTs a body and resolves with the answer's status once the answer has been read. node:http, which the dashboard
 * has loaded anyway: the global fetch would load undici on the first notification, a pause of the event loop.
 */
function post(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      signal,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      res.on('error', reject);
      res.on('end', () => resolve(res.statusCode ?? 0));
      // Aborted (timeout, shutdown) while the answer was arriving: 'close' may come without 'end' or 'error'.
      res.on('close', () => reject(new Error('the answer was cut short')));
      res.resume();
    });
    req.end(body);
  });
}

/** One receiver: its queue and its one sender. */
export class ReceiverQueue {
  readonly stats: ReceiverStats = { sent: 0, failed: 0, dropped: 0 };
  private queue: Notice[] = [];
  private sending = false;
  private retry: NodeJS.Timeout | undefined;
  private attempt = 0;
  private closed = false;
  private abort: AbortController | undefined;
  private readonly queuedAt = new WeakMap<Notice, number>();

  constructor(
    readonly config: ReceiverConfig,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly turn: SendTurn = () => 'send',
  ) {}

  get length(): number {
    return this.queue.length;
  }

  /** Queues a notice; one already waiting for the same alert in the same state is replaced, not repeated. */
  enqueue(notice: Notice): void {
    if (this.closed) return;
    let last = -1;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i]?.fingerprint === notice.fingerprint) {
        last = i;
        break;
      }
    }
    if (last >= 0 && this.queue[last]?.status === notice.status) this.queue[last] = notice;
    else this.queue.push(notice);
    this.queuedAt.set(notice, this.now());
    const excess = this.queue.length - this.config.queueSize;
    if (excess > 0) {
      this.queue.splice(0, excess);
      this.stats.dropped += excess;
    }
    this.kick();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.abort?.abort();
  }

  private kick(): void {
    if (this.sending || this.retry !== undefined || this.closed) return;
    // Decided now, not when queued: a notice queued while another replica held the lease is kept until that replica
    // is known alive after it (then dropped), or sent if this replica takes the lease meanwhile.
    this.queue = this.queue.filter((n) => this.turn(this.queuedAt.get(n) ?? 0) !== 'drop');
    const first = this.queue[0];
    if (first === undefined) return;
    if (this.turn(this.queuedAt.get(first) ?? 0) === 'wait') {
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.kick();
      }, TURN_WAIT_MS);
      this.retry.unref();
      return;
    }
    background(this.send(), this.log, 'notifications: sending');
  }

  private async send(): Promise<void> {
    this.sending = true;
    const batch = this.queue.slice(0, MAX_BATCH);
    try {
      await this.post(batch);
      const delivered = new Set(batch);
      this.queue = this.queue.filter((n) => !delivered.has(n));
      this.stats.sent += batch.length;
      if (this.attempt > 0)
        this.log.info({ receiver: this.config.name }, 'notifications: receiver reachable again');
      this.attempt = 0;
    } catch (err) {
      if (this.closed) return;
      this.stats.failed++;
      if (this.attempt === 0) {
        this.log.warn(
          { receiver: this.config.name, err: (err as Error).message },
          'notifications: sending failed; retrying with backoff',
        );
      }
      const delay = backoffDelay(this.attempt++, RETRY_BACKOFF);
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.kick();
      }, delay);
      this.retry.unref();
    } finally {
      this.sending = false;
      this.abort = undefined;
    }
    this.kick();
  }

  private async post(batch: readonly Notice[]): Promise<void> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'sss-dashboard',
    };
    if (this.config.bearerToken) headers.authorization = `Bearer ${await reveal(this.config.bearerToken)}`;
    const url = new URL(await target(this.config));
    this.abort = new AbortController();
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.config.timeoutMs)]);
    const status = await post(url, headers, JSON.stringify(payload(this.config, batch, this.now())), signal);
    if (status < 200 || status > 299) throw new Error(`HTTP ${status} from the receiver`);
  }
}

export interface NotifierOptions {
  receivers: readonly ReceiverConfig[];
  externalUrl?: string | undefined;
  log: Logger;
  /**
   * Whether this process sends now (with replicas, the one holding the lease). Firing alerts are tracked either
   * way, so a replica that takes over goes on re-sending them to Alertmanager.
   */
  sends?: () => boolean;
  /**
   * With replicas, when (Date.now() ms) another process was last known to hold the lease. A notice this process
   * queued while not sending waits until then exceeds its queue time by HANDOVER_MARGIN_MS (and is dropped, the
   * other sent it) or until this process sends. Without it, such a notice is dropped at once.
   */
  sentElsewhereAt?: () => number;
  now?: () => number;
}

/** Hands each alert event to the receivers that want it; re-sends firing alerts to Alertmanagers. */
export class Notifier {
  readonly receivers: readonly ReceiverQueue[];
  /** Per Alertmanager receiver: the firing alerts it is reminded of. */
  private readonly firing = new Map<ReceiverQueue, Map<string, Notice>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly externalUrl: string | undefined;
  private readonly sends: () => boolean;

  constructor(options: NotifierOptions) {
    this.externalUrl = options.externalUrl;
    this.sends = options.sends ?? (() => true);
    const elsewhere = options.sentElsewhereAt;
    const turn: SendTurn = (queuedAt) => {
      if (this.sends()) return 'send';
      if (!elsewhere || elsewhere() > queuedAt + HANDOVER_MARGIN_MS) return 'drop';
      return 'wait';
    };
    this.receivers = options.receivers.map((c) => new ReceiverQueue(c, options.log, options.now, turn));
    for (const receiver of this.receivers) {
      if (receiver.config.type !== 'alertmanager') continue;
      const firing = new Map<string, Notice>();
      this.firing.set(receiver, firing);
      const timer = setInterval(() => {
        if (!this.sends()) return;
        for (const notice of firing.values()) receiver.enqueue(notice);
      }, receiver.config.resendIntervalMs);
      timer.unref();
      this.timers.push(timer);
    }
  }

  notify(events: readonly AlertEvent[]): void {
    for (const event of events) {
      const notice = noticeOf(event, this.externalUrl);
      for (const receiver of this.receivers) {
        const { severities, sendResolved } = receiver.config;
        if (severities && !severities.includes(event.rule.severity)) continue;
        const firing = this.firing.get(receiver);
        if (notice.status === 'firing') firing?.set(notice.fingerprint, notice);
        else firing?.delete(notice.fingerprint);
        // Queued on every replica; whether this one sends it is decided at send time (ReceiverQueue.kick).
        if (notice.status === 'resolved' && !sendResolved) continue;
        receiver.enqueue(notice);
      }
    }
  }

  /**
   * Alerts restored firing at start: nothing is sent now (they were notified before the restart), but each
   * Alertmanager gets them again every resendInterval, with their fingerprint and startsAt, as if never stopped.
   */
  restore(alerts: readonly AlertEvent[]): void {
    for (const alert of alerts) {
      const notice = noticeOf(alert, this.externalUrl);
      for (const [receiver, firing] of this.firing) {
        const { severities } = receiver.config;
        if (!severities || severities.includes(alert.rule.severity)) firing.set(notice.fingerprint, notice);
      }
    }
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    for (const receiver of this.receivers) receiver.close();
  }
}
