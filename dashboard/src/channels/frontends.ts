import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, CloseReason } from '@sss/protocol';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import type { Hub } from '../hub/hub';

/**
 * The longest a message waits for others to share its write: everything published within this window goes to each
 * browser in one socket write. The one place this is set (issue 12: at most 10 ms).
 */
export const COALESCE_MS = 10;
/** Bytes a frontend socket may have queued before further messages wait in its per-server slot instead. */
export const HIGH_WATER_BYTES = 256 * 1024;
/** A frontend whose socket stays backed up this long is closed; it reconnects and gets a fresh snapshot. */
export const STALL_TIMEOUT_MS = 60_000;
/** Frontends send nothing meaningful: anything bigger, or more often, than this closes them. */
const MAX_INBOUND_BYTES = 4096;
const MAX_INBOUND_PER_SECOND = 20;

/**
 * One message as a complete WebSocket text frame (FIN, opcode 1, unmasked as a server sends it), built once and
 * written as it is to every browser; the protocol is unchanged: one JSON object per frame.
 */
export function textFrame(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(frameLength(payload.length));
  writeFrame(frame, 0, payload);
  return frame;
}

/** The length of a text frame carrying `length` bytes. */
function frameLength(length: number): number {
  return (length < 126 ? 2 : length < 65_536 ? 4 : 10) + length;
}

/** Writes a text frame carrying `payload` into `into` at `offset`; returns the offset after it. */
function writeFrame(into: Buffer, offset: number, payload: Buffer): number {
  const length = payload.length;
  into[offset] = 0x81;
  let at = offset + 2;
  if (length < 126) into[offset + 1] = length;
  else if (length < 65_536) {
    into[offset + 1] = 126;
    into.writeUInt16BE(length, offset + 2);
    at += 2;
  } else {
    into[offset + 1] = 127;
    into.writeUInt32BE(Math.floor(length / 2 ** 32), offset + 2);
    into.writeUInt32BE(length >>> 0, offset + 6);
    at += 8;
  }
  return at + payload.copy(into, at);
}

/** Where a connection's frames go: the browser's socket, or a test's stand-in. */
export interface FrontendSink {
  /** False once the WebSocket is closing or closed: nothing more is written. */
  readonly open: boolean;
  /** Bytes handed to the socket that the kernel has not taken yet. */
  readonly bufferedAmount: number;
  /** Writes whole frames, in order, in one write. */
  write(frames: readonly Buffer[]): void;
  close(code: number, reason: string): void;
  terminate(): void;
}

/**
 * The frames that became due within one coalescing window, in publish order, with their servers; `all` is every
 * frame in one buffer, so a browser that keeps up gets the whole window (or its tail) as one write of a shared buffer.
 */
export interface Batch {
  readonly ids: readonly string[];
  readonly frames: readonly Buffer[];
  readonly all: Buffer;
}

/**
 * One browser. While its socket keeps up it gets every frame, a window's frames in one write; once the socket holds
 * HIGH_WATER_BYTES, each server keeps at most one pending frame (the latest wins) until the socket drains, so a slow
 * reader costs at most HIGH_WATER_BYTES plus one frame, plus one frame per server, and never delays anyone else.
 */
export class FrontendConnection {
  private readonly pending = new Map<string, Buffer>();
  private stalledSince = 0;
  private inboundWindowStart = 0;
  private inboundCount = 0;
  /** Frames of the current window this connection skips: it joined after them, and its snapshot holds them. */
  skip = 0;

  constructor(
    readonly sink: FrontendSink,
    private readonly now: () => number = Date.now,
  ) {}

  /** Hands over the frames of a batch from index `from` on: in one write while the socket keeps up, the rest wait. */
  deliver(batch: Batch, from = 0): void {
    const { ids, frames } = batch;
    if (!this.sink.open) return;
    const end = this.push(frames, from, batch.all);
    // A held frame gets a buffer of its own: a slice of the window's would keep the whole window alive.
    for (let i = end; i < frames.length; i++) this.hold(ids[i] as string, copyOf(frames[i] as Buffer));
  }

  /** Writes frames of this connection alone (its snapshot), by the same rules as a batch. */
  deliverOwn(ids: readonly string[], frames: readonly Buffer[]): void {
    if (!this.sink.open) return;
    const end = this.push(frames, 0, undefined);
    for (let i = end; i < frames.length; i++) this.hold(ids[i] as string, frames[i] as Buffer);
  }

  /**
   * Writes frames from `from` on while nothing is pending and the socket holds less than HIGH_WATER_BYTES, as many
   * per write as fit under the mark (so it is passed by at most one frame, as with one write per frame). A write the
   * kernel takes at once leaves room for the next; one it does not take leaves the socket over its own mark, so a
   * 'drain' follows. With `all` (every frame in one buffer) a write is a slice of it, shared by every browser.
   * Returns the index of the first frame not written.
   */
  private push(frames: readonly Buffer[], from: number, all: Buffer | undefined): number {
    let at = from;
    let offset = all && from > 0 ? offsetOf(frames, from) : 0;
    while (at < frames.length && this.pending.size === 0 && this.sink.open) {
      let room = HIGH_WATER_BYTES - this.sink.bufferedAmount;
      if (room <= 0) break;
      const first = at;
      let bytes = 0;
      while (at < frames.length && room > 0) {
        const length = (frames[at] as Buffer).length;
        room -= length;
        bytes += length;
        at++;
      }
      const whole = first === 0 && at === frames.length;
      if (all) this.sink.write([whole ? all : all.subarray(offset, offset + bytes)]);
      else this.sink.write(whole ? frames : frames.slice(first, at));
      offset += bytes;
    }
    return at;
  }

  /** The socket drained: pending frames go out, oldest update first, as many per write as fit under the mark. */
  drained(): void {
    while (this.pending.size > 0 && this.sink.open) {
      let room = HIGH_WATER_BYTES - this.sink.bufferedAmount;
      if (room <= 0) return;
      const out: Buffer[] = [];
      for (const [serverId, frame] of this.pending) {
        if (room <= 0) break;
        room -= frame.length;
        out.push(frame);
        this.pending.delete(serverId);
      }
      this.sink.write(out);
    }
    if (this.pending.size === 0) this.stalledSince = 0;
  }

  private hold(serverId: string, frame: Buffer): void {
    this.pending.delete(serverId); // re-insert, so the flush order follows the newest updates
    this.pending.set(serverId, frame);
    if (this.stalledSince === 0) this.stalledSince = this.now();
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
    let bytes = this.sink.bufferedAmount;
    for (const frame of this.pending.values()) bytes += frame.length;
    return bytes;
  }
}

function copyOf(frame: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(frame.length);
  frame.copy(copy);
  return copy;
}

function offsetOf(frames: readonly Buffer[], index: number): number {
  let offset = 0;
  for (let i = 0; i < index; i++) offset += (frames[i] as Buffer).length;
  return offset;
}

/** A browser's WebSocket as a sink: frames go straight to its TCP socket, several in one write. */
function socketSink(ws: WebSocket, socket: Duplex): FrontendSink {
  return {
    get open() {
      return ws.readyState === WebSocket.OPEN;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    write(frames) {
      if (frames.length === 1) {
        socket.write(frames[0] as Buffer);
        return;
      }
      // Corked, the frames leave in one writev: one system call, no copy.
      socket.cork();
      for (const frame of frames) socket.write(frame);
      socket.uncork();
    },
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
  };
}

/**
 * The /ws-frontend channel: snapshot on connect, then every change of the hub, to every browser. The hub publishes
 * each change serialised once; the channel gathers what is published within COALESCE_MS, frames it into one buffer,
 * and hands each browser that buffer (or its tail) in one write.
 */
export class FrontendChannel {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_INBOUND_BYTES,
    // Frames are built here and written as they are, so they must never be compressed.
    perMessageDeflate: false,
  });
  private readonly connections = new Set<FrontendConnection>();
  private readonly unsubscribe: () => void;
  private ids: string[] = [];
  private messages: Buffer[] = [];
  /** performance.now() of each frame's publication, for sss_broadcast_duration_seconds. */
  private times: number[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Per change: seconds from its publication to its hand-over to every frontend, for sss_broadcast_duration_seconds. */
  onBroadcast: (seconds: number) => void = () => {};

  constructor(
    private readonly hub: Hub,
    private readonly log: Logger,
  ) {
    this.unsubscribe = hub.subscribe((serverId, message) => this.publish(serverId, message));
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
    const connection = this.attach(socketSink(ws, socket));
    socket.on('drain', () => connection.drained());
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
  }

  /**
   * A new frontend: it gets the snapshot (every known server) at once, then every later change. What the current
   * window already holds is in the snapshot, so the connection takes the window only from here on.
   */
  attach(sink: FrontendSink): FrontendConnection {
    const connection = new FrontendConnection(sink);
    connection.skip = this.messages.length;
    this.connections.add(connection);
    const ids: string[] = [];
    const frames: Buffer[] = [];
    for (const state of this.hub.list()) {
      ids.push(state.id);
      frames.push(textFrame(state.message));
    }
    connection.deliverOwn(ids, frames);
    return connection;
  }

  detach(connection: FrontendConnection): void {
    this.connections.delete(connection);
  }

  private publish(serverId: string, message: Buffer): void {
    this.ids.push(serverId);
    this.messages.push(message);
    this.times.push(performance.now());
    this.timer ??= setTimeout(() => this.flush(), COALESCE_MS);
  }

  /** Hands the window's frames to every frontend; each gets them in one write. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const { ids, messages, times } = this;
    if (messages.length === 0) return;
    this.ids = [];
    this.messages = [];
    this.times = [];
    // Every message framed straight into one buffer, the window's single write to each browser that keeps up.
    let total = 0;
    for (const message of messages) total += frameLength(message.length);
    const all = Buffer.allocUnsafe(total);
    const frames: Buffer[] = [];
    let offset = 0;
    for (const message of messages) {
      const end = writeFrame(all, offset, message);
      frames.push(all.subarray(offset, end));
      offset = end;
    }
    const batch: Batch = { ids, frames, all };
    for (const connection of this.connections) {
      connection.deliver(batch, connection.skip);
      connection.skip = 0;
    }
    const end = performance.now();
    for (const time of times) this.onBroadcast((end - time) / 1000);
  }

  /** Closes frontends that stayed backed up for STALL_TIMEOUT_MS. */
  sweep(now = Date.now()): void {
    for (const connection of this.connections) {
      if (connection.stalledFor(now) > STALL_TIMEOUT_MS) {
        this.log.warn('closing a frontend that stopped reading');
        connection.sink.close(CloseCode.policyViolation, CloseReason.slowConsumer);
        connection.sink.terminate();
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
    this.flush();
    for (const connection of this.connections) connection.sink.close(code, reason);
  }

  terminateAll(): void {
    for (const connection of this.connections) connection.sink.terminate();
  }
}
