import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, CloseReason } from '@sss/protocol';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import type { Hub } from '../hub/hub';

/** Bytes a frontend socket may have queued before further messages wait in its per-server slot instead. */
export const HIGH_WATER_BYTES = 256 * 1024;
/** A frontend whose socket stays backed up this long is closed; it reconnects and gets a fresh snapshot. */
export const STALL_TIMEOUT_MS = 60_000;
/** Frontends send nothing meaningful: anything bigger, or more often, than this closes them. */
const MAX_INBOUND_BYTES = 4096;
const MAX_INBOUND_PER_SECOND = 20;

/**
 * One browser. Messages go straight to the socket while it keeps up; while it is backed up, each server keeps at
 * most one pending message (the latest wins), so a slow reader costs at most HIGH_WATER_BYTES plus one message
 * per server, and never delays anyone else.
 */
class FrontendConnection {
  private readonly pending = new Map<string, Buffer>();
  private stalledSince = 0;
  private inboundWindowStart = 0;
  private inboundCount = 0;

  constructor(
    readonly ws: WebSocket,
    socket: Duplex,
  ) {
    socket.on('drain', () => this.flush());
  }

  send(serverId: string, message: Buffer): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.pending.size > 0 || this.ws.bufferedAmount >= HIGH_WATER_BYTES) {
      this.pending.delete(serverId); // re-insert, so the flush order follows the newest updates
      this.pending.set(serverId, message);
      if (this.stalledSince === 0) this.stalledSince = Date.now();
      return;
    }
    this.ws.send(message, { binary: false });
  }

  private flush(): void {
    for (const [serverId, message] of this.pending) {
      if (this.ws.readyState !== WebSocket.OPEN || this.ws.bufferedAmount >= HIGH_WATER_BYTES) return;
      this.pending.delete(serverId);
      this.ws.send(message, { binary: false });
    }
    this.stalledSince = 0;
  }

  stalledFor(now: number): number {
    return this.stalledSince === 0 ? 0 : now - this.stalledSince;
  }

  /** False when the frontend sends more than a browser ever would. */
  acceptInbound(now: number): boolean {
    if (now - this.inboundWindowStart >= 1000) {
      this.inboundWindowStart = now;
      this.inboundCount = 0;
    }
    return ++this.inboundCount <= MAX_INBOUND_PER_SECOND;
  }

  get pendingMessages(): number {
    return this.pending.size;
  }

  get pendingBytes(): number {
    let bytes = this.ws.bufferedAmount;
    for (const message of this.pending.values()) bytes += message.length;
    return bytes;
  }
}

/** The /ws-frontend channel: snapshot on connect, then every change of the hub, to every browser. */
export class FrontendChannel {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_INBOUND_BYTES });
  private readonly connections = new Set<FrontendConnection>();
  private readonly unsubscribe: () => void;
  /** Seconds spent pushing one change to every frontend, for sss_broadcast_duration_seconds. */
  onBroadcast: (seconds: number) => void = () => {};

  constructor(
    private readonly hub: Hub,
    private readonly log: Logger,
  ) {
    this.unsubscribe = hub.subscribe((serverId, message) => this.broadcast(serverId, message));
  }

  get size(): number {
    return this.connections.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) =>
      this.accept(ws, socket, req.socket.remoteAddress ?? ''),
    );
  }

  private accept(ws: WebSocket, socket: Duplex, address: string): void {
    const connection = new FrontendConnection(ws, socket);
    this.connections.add(connection);
    this.log.debug({ address, frontends: this.connections.size }, 'frontend connected');
    ws.on('message', () => {
      if (!connection.acceptInbound(Date.now()))
        ws.close(CloseCode.policyViolation, CloseReason.tooManyMessages);
    });
    ws.on('error', (err) => this.log.debug({ address, err: err.message }, 'frontend socket error'));
    ws.on('close', () => {
      this.connections.delete(connection);
      this.log.debug({ address, frontends: this.connections.size }, 'frontend disconnected');
    });
    for (const state of this.hub.list()) connection.send(state.id, state.message);
  }

  private broadcast(serverId: string, message: Buffer): void {
    const start = performance.now();
    for (const connection of this.connections) connection.send(serverId, message);
    this.onBroadcast((performance.now() - start) / 1000);
  }

  /** Closes frontends that stayed backed up for STALL_TIMEOUT_MS. */
  sweep(now = Date.now()): void {
    for (const connection of this.connections) {
      if (connection.stalledFor(now) > STALL_TIMEOUT_MS) {
        this.log.warn('closing a frontend that stopped reading');
        connection.ws.close(CloseCode.policyViolation, CloseReason.slowConsumer);
        connection.ws.terminate();
      }
    }
  }

  /** Messages and bytes waiting for slow frontends, for /metrics. */
  backlog(): { messages: number; bytes: number } {
    let messages = 0;
    let bytes = 0;
    for (const connection of this.connections) {
      messages += connection.pendingMessages;
      bytes += connection.pendingBytes;
    }
    return { messages, bytes };
  }

  closeAll(code: number, reason: string): void {
    this.unsubscribe();
    for (const connection of this.connections) connection.ws.close(code, reason);
  }

  terminateAll(): void {
    for (const connection of this.connections) connection.ws.terminate();
  }
}
