import { get as httpGet, type IncomingMessage, STATUS_CODES } from 'node:http';
import { get as httpsGet } from 'node:https';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { type BackoffPolicy, backoffDelay, type KubernetesNodeInfo } from '@sss/protocol';
import type { Logger } from 'pino';
import type { ApiServer } from './api-server';
import { type NodeJson, nodeFacts, sameFacts } from './node-facts';

/** Where the connection to the API server stands; each is a value of sss_kubernetes_api_state's `state` label. */
export const API_STATES = [
  'connecting',
  'synced',
  'unauthorized',
  'forbidden',
  'unreachable',
  'failing',
] as const;
export type ApiState = (typeof API_STATES)[number];

/** Receives the cluster's Nodes as facts; called only when a fact changed. */
export interface NodeSink {
  upsert(facts: KubernetesNodeInfo): void;
  remove(name: string): void;
}

export interface NodeWatcherOptions {
  /** Nodes per list page: a 5,000-node cluster is listed in pages, never in one huge answer. */
  pageSize?: number;
  /** Retry schedule after a failed list or watch (client-go's reflector uses about the same). */
  backoff?: BackoffPolicy;
  /** Longest wait for a list page or for any event of an open watch before the connection counts as dead. */
  requestTimeoutMs?: number;
}

const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, factor: 2, maxMs: 30_000, jitter: 0.2 };
/** The API server ends each watch after this many seconds, randomised so replicas do not renew in step. */
const WATCH_SECONDS_MIN = 300;
const WATCH_SECONDS_SPREAD = 300;

/** The watch's resourceVersion is too old (HTTP 410): list again, at once. */
class Gone extends Error {}

/** A watch ended for a reason that is not an HTTP status (the stream broke, no event for too long). */
class WatchBroken extends Error {}

/** The API server answered with an HTTP error status; `body` is its answer (a Status object, as text). */
class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string,
  ) {
    super(STATUS_CODES[statusCode] ?? 'Unknown status');
  }
}

/** One page of GET /api/v1/nodes, as the API server sends it. */
interface NodeList {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: NodeJson[];
}

const gunzipAsync = promisify(gunzip);

function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.statusCode === 'number') return e.statusCode;
  return typeof e.code === 'number' ? e.code : undefined;
}

/** Classifies a failed request for the state gauge and the log. */
export function stateOf(err: unknown): ApiState {
  const status = statusOf(err);
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status !== undefined) return 'failing';
  return 'unreachable';
}

function explain(err: unknown): string {
  const e = err as { message?: string; body?: unknown };
  const body = typeof e.body === 'string' ? e.body : JSON.stringify(e.body ?? '');
  const status = statusOf(err);
  const text = e.message ?? String(err);
  return status === undefined
    ? text
    : `HTTP ${status}: ${text}${body && body !== '""' ? ` ${body.slice(0, 300)}` : ''}`;
}

/**
 * Lists and watches the cluster's Nodes (an informer of our own: the client library's keeps every Node object
 * whole and does not retry). Hands the sink only what changed; after every (re)list, Nodes that vanished while the
 * watch was down are removed. Retries forever with backoff; a state change is logged once and kept for /metrics.
 * Nothing here blocks reports: the sink is called from the event loop like any other event.
 */
export class NodeWatcher {
  private readonly nodes = new Map<string, KubernetesNodeInfo>();
  private readonly pageSize: number;
  private readonly backoff: BackoffPolicy;
  private readonly requestTimeoutMs: number;
  private stopped = false;
  /** Aborts a list request in flight on stop. */
  private readonly stopping = new AbortController();
  private abortWatch: (() => void) | undefined;
  private wake: (() => void) | undefined;
  private current: ApiState = 'connecting';
  private everSynced = false;
  private readonly syncWaiters = new Set<() => void>();
  private running = false;
  /** Failed requests by the state they led to, for sss_kubernetes_api_errors_total. */
  readonly errors = new Map<ApiState, number>();
  /** Milliseconds the first complete list took, once it did. */
  firstSyncMs: number | undefined;

  constructor(
    private readonly api: ApiServer,
    private readonly sink: NodeSink,
    private readonly log: Logger,
    options: NodeWatcherOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 500;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 90_000;
  }

  get state(): ApiState {
    return this.current;
  }

  /** True once the Nodes were listed completely at least once (later failures keep the last known set). */
  get synced(): boolean {
    return this.everSynced;
  }

  get size(): number {
    return this.nodes.size;
  }

  has(name: string): boolean {
    return this.nodes.has(name);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.run();
  }

  /** Stops at once: a request in flight is aborted (and holds no timer that keeps the process up). */
  stop(): void {
    this.stopped = true;
    this.stopping.abort();
    this.abortWatch?.();
    this.wake?.();
  }

  /** Resolves true once synced, or false after `timeoutMs`. */
  whenSynced(timeoutMs: number): Promise<boolean> {
    if (this.everSynced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.syncWaiters.delete(done);
        resolve(this.everSynced);
      };
      const timer = setTimeout(done, timeoutMs).unref();
      this.syncWaiters.add(done);
    });
  }

  private async run(): Promise<void> {
    const started = performance.now();
    let attempt = 0;
    while (!this.stopped) {
      try {
        const resourceVersion = await this.list();
        if (this.firstSyncMs === undefined) this.firstSyncMs = performance.now() - started;
        this.setState('synced');
        attempt = 0;
        await this.watchFrom(resourceVersion);
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof Gone) continue; // the history we watched from is compacted: list again at once
        const state = stateOf(err);
        this.errors.set(state, (this.errors.get(state) ?? 0) + 1);
        const delay = backoffDelay(attempt++, this.backoff);
        this.setState(state, err, delay);
        await this.sleep(delay);
      }
    }
  }

  /**
   * Lists every Node in pages, applies the difference to the sink, and returns the list's resourceVersion. The
   * pages are read as plain JSON, as the watch's events are: nodeFacts keeps a few fields of each Node, so turning
   * every Node into a typed object first (the generated client's listNode) cost the list most of its CPU.
   */
  private async list(): Promise<string> {
    const seen = new Map<string, KubernetesNodeInfo>();
    let next: string | undefined;
    let resourceVersion = '';
    do {
      const path = `/api/v1/nodes?limit=${this.pageSize}${next ? `&continue=${encodeURIComponent(next)}` : ''}`;
      const page = await this.get<NodeList>(path).catch((err: unknown) => {
        // The continue token expired (the list outlasted the history etcd keeps): list again from the start.
        if (next && statusOf(err) === 410) throw new Gone();
        throw err;
      });
      for (const node of page.items ?? []) {
        const facts = nodeFacts(node);
        seen.set(facts.nodeName, facts);
      }
      next = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? '';
    } while (next && !this.stopped);
    for (const name of this.nodes.keys()) {
      if (!seen.has(name)) this.delete(name);
    }
    for (const facts of seen.values()) this.put(facts);
    if (!this.everSynced) {
      this.everSynced = true;
      this.log.info({ nodes: this.nodes.size }, 'kubernetes: nodes listed');
      for (const waiter of [...this.syncWaiters]) waiter();
    }
    return resourceVersion;
  }

  /** Watches from `resourceVersion` until an error; a watch the server ends on schedule is renewed. */
  private async watchFrom(resourceVersion: string): Promise<void> {
    let version = resourceVersion;
    while (!this.stopped) {
      version = await this.watchOnce(version);
    }
  }

  /**
   * One watch request, read as the API server writes it: one JSON event per line. Resolves with the newest
   * resourceVersion when the server ends the watch on schedule; rejects with Gone for an expired resourceVersion.
   */
  private async watchOnce(resourceVersion: string): Promise<string> {
    const timeoutSeconds = WATCH_SECONDS_MIN + Math.floor(Math.random() * WATCH_SECONDS_SPREAD);
    const query = new URLSearchParams({
      watch: 'true',
      allowWatchBookmarks: 'true',
      resourceVersion,
      timeoutSeconds: String(timeoutSeconds),
    });
    const aborting = new AbortController();
    this.abortWatch = () => aborting.abort();
    if (this.stopped) aborting.abort();
    // Bookmarks arrive about once a minute, so a watch silent for longer than the timeout is dead (a half-open
    // connection after the API server's host vanished).
    let silent = false;
    let idle: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        silent = true;
        aborting.abort();
      }, this.requestTimeoutMs).unref();
    };
    let version = resourceVersion;
    try {
      arm();
      const response = await this.request(`/api/v1/nodes?${query}`, aborting.signal, false);
      response.setEncoding('utf8');
      let pending = '';
      for await (const chunk of response) {
        arm();
        pending += chunk as string;
        for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
          const line = pending.slice(0, end);
          pending = pending.slice(end + 1);
          if (!line.trim()) continue;
          const event = JSON.parse(line) as { type?: string; object?: NodeJson & { code?: number } };
          const object = event.object ?? {};
          if (event.type === 'ERROR') {
            if (object.code === 410) throw new Gone();
            continue;
          }
          const objectVersion = object.metadata?.resourceVersion;
          if (objectVersion) version = objectVersion;
          if (event.type === 'ADDED' || event.type === 'MODIFIED') this.put(nodeFacts(object));
          else if (event.type === 'DELETED' && object.metadata?.name) this.delete(object.metadata.name);
        }
      }
      return version;
    } catch (err) {
      if (silent) throw new WatchBroken(`no watch event for ${this.requestTimeoutMs / 1000} s`);
      if (statusOf(err) === 410) throw new Gone();
      throw err;
    } finally {
      clearTimeout(idle);
      this.abortWatch = undefined;
    }
  }

  private put(facts: KubernetesNodeInfo): void {
    const known = this.nodes.get(facts.nodeName);
    if (known && sameFacts(known, facts)) return; // a heartbeat: nothing a frontend would see
    this.nodes.set(facts.nodeName, facts);
    this.sink.upsert(facts);
  }

  private delete(name: string): void {
    if (this.nodes.delete(name)) this.sink.remove(name);
  }

  private setState(state: ApiState, err?: unknown, retryInMs?: number): void {
    const previous = this.current;
    this.current = state;
    if (state === 'synced') {
      if (previous !== 'connecting')
        this.log.info({ nodes: this.nodes.size }, 'kubernetes: connection to the API server restored');
      return;
    }
    // Logged once per state, not once per retry: an API server that stays away must not flood the log.
    if (state !== previous) {
      this.log.warn(
        {
          state,
          error: explain(err),
          retryInSeconds: retryInMs === undefined ? undefined : Math.round(retryInMs / 100) / 10,
          nodesKept: this.nodes.size,
        },
        state === 'forbidden'
          ? 'kubernetes: not allowed to list/watch nodes (check the ClusterRole); retrying with backoff'
          : 'kubernetes: cannot reach the API server; reports go on, retrying with backoff',
      );
    }
  }

  /**
   * GETs `path` from the API server with its credentials and TLS settings and resolves with the answer once its
   * status arrived; an error status rejects with an HttpError carrying the body.
   */
  private async request(path: string, signal: AbortSignal, gzip: boolean): Promise<IncomingMessage> {
    const options = await this.api.requestOptions();
    const url = new URL(this.api.server + path);
    const request = (url.protocol === 'http:' ? httpGet : httpsGet)(url, {
      ...options,
      headers: {
        ...options.headers,
        accept: 'application/json',
        ...(gzip ? { 'accept-encoding': 'gzip' } : {}),
      },
      signal,
    });
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      request.on('response', resolve);
      request.on('error', reject); // `on`: an error after the answer began must not go unhandled
    });
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return response;
    throw new HttpError(status, (await this.body(response)).toString('utf8'));
  }

  private async body(response: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    return response.headers['content-encoding'] === 'gzip' ? gunzipAsync(body) : body;
  }

  /**
   * GETs `path` and parses the answer, compressed or not; rejects with an HttpError for an error status, and when
   * the whole answer has not arrived within the request timeout.
   */
  private async get<T>(path: string): Promise<T> {
    const aborting = new AbortController();
    const stop = () => aborting.abort();
    this.stopping.signal.addEventListener('abort', stop);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      aborting.abort();
    }, this.requestTimeoutMs).unref();
    try {
      const response = await this.request(path, aborting.signal, true);
      return JSON.parse((await this.body(response)).toString('utf8')) as T;
    } catch (err) {
      if (timedOut) throw new WatchBroken(`no answer within ${this.requestTimeoutMs / 1000} s`);
      throw err;
    } finally {
      clearTimeout(timer);
      this.stopping.signal.removeEventListener('abort', stop);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms).unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
