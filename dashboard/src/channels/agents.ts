import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, CloseReason, Headers, MAX_CLOSE_REASON_BYTES, validateServerInfo } from '@sss/protocol';
import type { Logger } from 'pino';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { type Authenticator, type FailureLimiter, tooManyFailures } from '../access/auth';
import type { Hub, ServerState } from '../hub/hub';
import type { RefuseReason } from '../kubernetes/id-policy';

/** Why a report was refused; each is a value of the `reason` label of sss_reports_rejected_total. */
export const REJECT_REASONS = [
  'binary',
  'invalid_json',
  'invalid_utf8',
  'schema',
  'server_id_mismatch',
  'too_large',
  'protocol',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface AgentChannelEvents {
  report(): void;
  rejected(reason: RejectReason): void;
  authFailure(): void;
  rateLimited(): void;
  refused(reason: RefuseReason): void;
}

export interface AgentChannelOptions {
  maxMessageSize: number;
  heartbeatTimeoutMs: number;
  /** Servers kept at most, Kubernetes Nodes not counted (SSS_MAX_SERVERS); new ids beyond it are refused. */
  maxServers: number;
  /** SSS_ID_POLICY=nodes: why an id with the right secret may not report, or undefined when it may. */
  admit?: ((serverId: string) => RefuseReason | undefined) | undefined;
  /** With SSS_REDIS_URL: what the other replicas learn of this channel's connections and reports. */
  replicas?: AgentReplication | undefined;
}

/** The bus between replicas, as the agent channel sees it; none of these waits for Redis. */
export interface AgentReplication {
  /** A connection for `serverId` was accepted; `replace` closes it with 4000 when a newer one exists elsewhere. */
  accepted(serverId: string, replace: () => void): void;
  /** A report was applied to the hub. */
  reported(state: ServerState): void;
  /** The current connection for `serverId` closed (the server went offline here). */
  disconnected(serverId: string): void;
}

interface AgentConnection {
  readonly ws: WebSocket;
  readonly serverId: string;
  readonly address: string;
  lastActivity: number;
  /** Set once we closed it (rejected, replaced, silent); later frames are ignored. */
  closing: boolean;
}

/** Cuts a close reason to the 123 bytes a close frame can carry, on a character boundary. */
export function closeReason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out) > MAX_CLOSE_REASON_BYTES) out = out.slice(0, -1);
  return out;
}

/** True when `validated` holds exactly what `parsed` holds, so JSON of either says the same. */
export function sameJson(parsed: unknown, validated: unknown): boolean {
  if (parsed === validated) return true;
  if (typeof parsed !== 'object' || parsed === null || typeof validated !== 'object' || validated === null) {
    return false;
  }
  if (Array.isArray(parsed)) {
    if (!Array.isArray(validated) || parsed.length !== validated.length) return false;
    for (let i = 0; i < parsed.length; i++) if (!sameJson(parsed[i], validated[i])) return false;
    return true;
  }
  if (Array.isArray(validated)) return false;
  const a = parsed as Record<string, unknown>;
  const b = validated as Record<string, unknown>;
  let keys = 0;
  for (const key in a) {
    keys++;
    if (!Object.hasOwn(b, key) || !sameJson(a[key], b[key])) return false;
  }
  for (const _ in b) keys--;
  return keys === 0;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** ws reports framing problems as errors with these codes; each maps to a rejection reason. */
function reasonOf(err: Error & { code?: string }): RejectReason {
  if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 'too_large';
  if (err.code === 'WS_ERR_INVALID_UTF8') return 'invalid_utf8';
  return 'protocol';
}

/**
 * The /ws-report channel: authenticates agents, validates every report, hands good ones to the hub, and closes a
 * connection with the documented code on anything else. A newer connection for the same id replaces the older.
 */
export class AgentChannel {
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<string, AgentConnection>();
  /** Whether the server limit refused an id since the count was last below it; logged once per episode. */
  private full = false;

  constructor(
    private readonly hub: Hub,
    private readonly auth: Authenticator,
    private readonly limiter: FailureLimiter,
    private readonly options: AgentChannelOptions,
    private readonly events: AgentChannelEvents,
    private readonly log: Logger,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageSize });
  }

  get size(): number {
    return this.connections.size;
  }

  /** `address` is the client's (behind a trusted proxy, the one X-Forwarded-For names). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, address: string): void {
    const serverId = header(req, Headers.serverId);
    const limitKey = serverId?.slice(0, 253) ?? '';
    const blocked = this.limiter.blocked(address, limitKey);
    if (blocked) {
      this.events.rateLimited();
      const body = tooManyFailures(blocked);
      socket.end(
        `HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${blocked.retryAfter}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
      return;
    }
    const authorized = this.auth.check(serverId, header(req, Headers.authSecret));
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (!authorized || serverId === undefined) {
        this.limiter.fail(address, limitKey);
        this.events.authFailure();
        this.log.warn({ address, serverId: serverId?.slice(0, 253) }, 'agent authentication failed');
        ws.close(CloseCode.policyViolation, CloseReason.authenticationFailed);
        return;
      }
      const refusal = this.options.admit?.(serverId);
      if (refusal === 'not_a_node') {
        // Posing as another node's agent is a failed login: it counts towards the address's limit.
        this.limiter.fail(address, serverId);
        this.events.refused(refusal);
        this.log.warn({ address, serverId }, 'agent refused: its id is not a Node (SSS_ID_POLICY=nodes)');
        ws.close(CloseCode.policyViolation, CloseReason.notANode);
        return;
      }
      if (refusal === 'nodes_not_listed') {
        this.events.refused(refusal);
        this.log.info({ address, serverId }, 'agent asked to retry: the Nodes are not listed yet');
        ws.close(CloseCode.tryAgainLater, CloseReason.nodesNotListed);
        return;
      }
      if (this.overLimit(serverId)) {
        this.events.refused('server_limit');
        ws.close(CloseCode.tryAgainLater, CloseReason.serverLimit);
        return;
      }
      this.limiter.succeeded(address, serverId);
      this.accept(ws, serverId, address);
    });
  }

  /** True when `serverId` is new and SSS_MAX_SERVERS servers (Nodes not counted) are known already. */
  private overLimit(serverId: string): boolean {
    if (this.hub.get(serverId) !== undefined) return false;
    const known = this.hub.countWithoutNodes();
    const over = known >= this.options.maxServers;
    if (over && !this.full) {
      this.log.warn(
        { serverId, servers: known, limit: this.options.maxServers },
        'server limit reached: new ids are refused with 1013 (SSS_MAX_SERVERS)',
      );
    }
    this.full = over;
    return over;
  }

  private accept(ws: WebSocket, serverId: string, address: string): void {
    const connection: AgentConnection = { ws, serverId, address, lastActivity: Date.now(), closing: false };
    const previous = this.connections.get(serverId);
    this.connections.set(serverId, connection);
    if (previous) {
      this.log.info({ serverId, address, previous: previous.address }, 'agent connection replaced');
      this.close(previous, CloseCode.replaced, CloseReason.replaced);
    }
    this.log.info({ serverId, address }, 'agent connected');
    this.options.replicas?.accepted(serverId, () => {
      if (this.connections.get(serverId) !== connection) return;
      // Not offline: the newer connection is on another replica.
      this.connections.delete(serverId);
      this.log.info({ serverId, address }, 'agent connection replaced by one on another replica');
      this.close(connection, CloseCode.replaced, CloseReason.replaced);
    });

    ws.on('ping', () => {
      connection.lastActivity = Date.now();
    });
    ws.on('message', (data, isBinary) => {
      connection.lastActivity = Date.now();
      this.receive(connection, data, isBinary);
    });
    ws.on('error', (err) => {
      const reason = reasonOf(err);
      this.events.rejected(reason);
      this.log.warn({ serverId, address, reason, err: err.message }, 'agent connection error');
    });
    ws.on('close', (code, reason) => {
      this.log.info({ serverId, address, code, reason: reason.toString() }, 'agent disconnected');
      if (this.connections.get(serverId) === connection) {
        this.connections.delete(serverId);
        this.hub.disconnected(serverId);
        this.options.replicas?.disconnected(serverId);
      }
    });
  }

  private receive(connection: AgentConnection, data: RawData, isBinary: boolean): void {
    if (connection.closing) return;
    if (isBinary) {
      this.reject(connection, 'binary', CloseCode.unsupportedData, CloseReason.binaryFrame);
      return;
    }
    let parsed: unknown;
    const text = data.toString();
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      this.reject(
        connection,
        'invalid_json',
        CloseCode.invalidPayload,
        `invalid JSON: ${(err as Error).message}`,
      );
      return;
    }
    const result = validateServerInfo(parsed);
    if (!result.ok) {
      const text = `invalid field ${result.field}: ${result.message}`;
      this.reject(connection, 'schema', CloseCode.invalidPayload, text);
      return;
    }
    if (result.value.serverId !== connection.serverId) {
      const text = `serverId "${result.value.serverId}" does not match the X-SERVER-ID header`;
      this.reject(connection, 'server_id_mismatch', CloseCode.policyViolation, text);
      return;
    }
    // When validating dropped and changed nothing, the agent's own JSON is the report's JSON: not serialised again.
    const state = this.hub.report(result.value, sameJson(parsed, result.value) ? text : undefined);
    this.options.replicas?.reported(state);
    this.events.report();
  }

  private reject(connection: AgentConnection, reason: RejectReason, code: number, text: string): void {
    this.events.rejected(reason);
    this.log.warn(
      { serverId: connection.serverId, address: connection.address, reason, detail: text },
      'report rejected',
    );
    this.close(connection, code, closeReason(text));
  }

  private close(connection: AgentConnection, code: number, reason: string): void {
    connection.closing = true;
    connection.ws.close(code, reason);
  }

  /** Closes connections that sent nothing, neither data nor ping, for the heartbeat window. */
  sweep(now = Date.now()): void {
    for (const connection of this.connections.values()) {
      if (!connection.closing && now - connection.lastActivity > this.options.heartbeatTimeoutMs) {
        this.log.warn(
          { serverId: connection.serverId, address: connection.address },
          'agent silent; closing',
        );
        this.close(connection, CloseCode.normal, CloseReason.heartbeatTimeout);
        // A silent peer will not answer the close handshake either.
        setTimeout(() => connection.ws.terminate(), 1_000).unref();
      }
    }
  }

  closeAll(code: number, reason: string): void {
    for (const connection of this.connections.values()) this.close(connection, code, reason);
  }

  terminateAll(): void {
    for (const connection of this.connections.values()) connection.ws.terminate();
  }
}
