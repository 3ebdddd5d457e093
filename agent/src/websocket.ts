// The agent's WebSocket client (RFC 6455), just what /ws-report needs: the opening handshake with extra headers,
// masked text frames, ping and pong, the closing handshake. Not the ws package: bundled or not, ws and the modules
// it loads (http, https, tls, crypto, zlib) cost the agent about 3 MiB of its 45 MiB; this needs only node:net, and
// node:tls for wss:// URLs, loaded then. Frames from the dashboard are only control frames: /ws-report sends no data.
import { EventEmitter } from 'node:events';
import { connect as connectTcp, type Socket } from 'node:net';

export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/** The close code when the connection ended without a close frame (RFC 6455 7.1.5). */
export const ABNORMAL_CLOSURE = 1006;

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
/** The largest frame accepted from the server; the dashboard sends control frames of at most 125 bytes. */
const MAX_FRAME_BYTES = 1024 * 1024;

/** The server answered the opening handshake with a status other than 101 (404: no such path, 429: rate limited). */
export class UnexpectedResponse extends Error {
  constructor(
    readonly status: number,
    /** Response headers, names in lower case. */
    readonly headers: Readonly<Record<string, string>>,
  ) {
    super(`Unexpected server response: ${status}`);
  }
}

export interface WebSocketOptions {
  headers?: Record<string, string>;
  handshakeTimeout?: number;
}

/** SHA-1 of bytes (the handshake's Sec-WebSocket-Accept); node:crypto alone would cost more memory than it saves. */
export function sha1(input: Uint8Array): Uint8Array {
  const length = input.length;
  const words = new Uint32Array((((length + 8) >> 6) + 1) * 16);
  for (let i = 0; i < length; i++)
    words[i >> 2] = (words[i >> 2] ?? 0) | ((input[i] ?? 0) << (24 - (i % 4) * 8));
  words[length >> 2] = (words[length >> 2] ?? 0) | (0x80 << (24 - (length % 4) * 8));
  words[words.length - 1] = length * 8;
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Uint32Array(80);
  for (let block = 0; block < words.length; block += 16) {
    for (let t = 0; t < 80; t++) {
      if (t < 16) w[t] = words[block + t] ?? 0;
      else {
        const x = (w[t - 3] ?? 0) ^ (w[t - 8] ?? 0) ^ (w[t - 14] ?? 0) ^ (w[t - 16] ?? 0);
        w[t] = (x << 1) | (x >>> 31);
      }
    }
    let [a, b, c, d, e] = h as [number, number, number, number, number];
    for (let t = 0; t < 80; t++) {
      const f =
        t < 20 ? (b & c) | (~b & d) : t < 40 ? b ^ c ^ d : t < 60 ? (b & c) | (b & d) | (c & d) : b ^ c ^ d;
      const k = t < 20 ? 0x5a827999 : t < 40 ? 0x6ed9eba1 : t < 60 ? 0x8f1bbcdc : 0xca62c1d6;
      const next = (((a << 5) | (a >>> 27)) + f + e + k + (w[t] ?? 0)) >>> 0;
      e = d;
      d = c;
      c = ((b << 30) | (b >>> 2)) >>> 0;
      b = a;
      a = next;
    }
    h[0] = ((h[0] ?? 0) + a) >>> 0;
    h[1] = ((h[1] ?? 0) + b) >>> 0;
    h[2] = ((h[2] ?? 0) + c) >>> 0;
    h[3] = ((h[3] ?? 0) + d) >>> 0;
    h[4] = ((h[4] ?? 0) + e) >>> 0;
  }
  const out = Buffer.alloc(20);
  for (const [i, v] of h.entries()) out.writeUInt32BE(v, i * 4);
  return out;
}

/** The Sec-WebSocket-Accept a server must answer to `key`. */
export function acceptFor(key: string): string {
  return Buffer.from(sha1(Buffer.from(key + GUID, 'latin1'))).toString('base64');
}

function randomBytes(n: number): Buffer {
  const bytes = Buffer.alloc(n);
  for (let i = 0; i < n; i++) bytes[i] = Math.floor(Math.random() * 256);
  return bytes;
}

/** A client frame: FIN, the opcode, masked payload (clients must mask, RFC 6455 5.3). */
export function encodeFrame(opcode: number, payload: Buffer, mask = randomBytes(4)): Buffer {
  const length = payload.length;
  const head = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.alloc(head + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  mask.copy(frame, head);
  for (let i = 0; i < length; i++) frame[head + 4 + i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return frame;
}

export interface WebSocketEvents {
  open: [];
  pong: [];
  error: [Error];
  close: [code: number, reason: string];
}

/** A WebSocket client connection, with the part of the `ws` package's API the reporter uses. */
export class WebSocket extends EventEmitter<WebSocketEvents> {
  readyState = CONNECTING;
  private socket?: Socket;
  private input: Buffer = Buffer.alloc(0);
  private handshakeTimer?: NodeJS.Timeout;
  private closeCode = ABNORMAL_CLOSURE;
  private closeReason = '';
  private closeSent = false;
  private closeTimer?: NodeJS.Timeout;

  constructor(address: string, options: WebSocketOptions = {}) {
    super();
    const url = new URL(address);
    const secure = url.protocol === 'wss:';
    if (!secure && url.protocol !== 'ws:') throw new Error(`not a ws:// or wss:// URL: ${address}`);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port || (secure ? 443 : 80));
    const key = randomBytes(16).toString('base64');
    const request = [
      `GET ${url.pathname}${url.search} HTTP/1.1`,
      `Host: ${url.host}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${key}`,
      'Sec-WebSocket-Version: 13',
      ...Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
      '',
      '',
    ].join('\r\n');
    this.handshakeTimer = setTimeout(
      () => this.fail(new Error('Opening handshake has timed out')),
      options.handshakeTimeout ?? 10_000,
    );
    const attach = (socket: Socket, event: 'connect' | 'secureConnect') => {
      this.socket = socket;
      socket.setNoDelay(true);
      socket.once(event, () => socket.write(request));
      socket.on('data', (chunk: Buffer) => this.receive(chunk, key));
      socket.on('error', (err) => this.fail(err));
      socket.on('close', () => this.finish());
    };
    if (secure) {
      // node:tls only for wss://, when it is asked for.
      import('node:tls').then(
        (tls) => {
          if (this.readyState !== CONNECTING) return;
          attach(tls.connect({ host, port, servername: host }), 'secureConnect');
        },
        (err: Error) => this.fail(err),
      );
    } else {
      attach(connectTcp({ host, port }), 'connect');
    }
  }

  /** Bytes written but not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.socket?.writableLength ?? 0;
  }

  send(text: string): void {
    if (this.readyState === OPEN) this.socket?.write(encodeFrame(OP_TEXT, Buffer.from(text)));
  }

  ping(): void {
    if (this.readyState === OPEN) this.socket?.write(encodeFrame(OP_PING, Buffer.alloc(0)));
  }

  /** Starts the closing handshake; the connection ends when the server answers (or after 30 s). */
  close(code: number, reason = ''): void {
    if (this.readyState === CLOSED || this.readyState === CLOSING) return;
    if (this.readyState === CONNECTING) {
      this.terminate();
      return;
    }
    this.readyState = CLOSING;
    this.sendClose(code, reason);
    this.closeTimer = setTimeout(() => this.terminate(), 30_000);
  }

  /** Ends the connection at once, without the closing handshake. */
  terminate(): void {
    if (this.readyState === CLOSED) return;
    if (this.socket) this.socket.destroy();
    else this.finish();
  }

  private sendClose(code: number, reason: string): void {
    if (this.closeSent) return;
    this.closeSent = true;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.socket?.write(encodeFrame(OP_CLOSE, payload));
  }

  private fail(err: Error): void {
    if (this.readyState === CLOSED) return;
    this.emit('error', err);
    this.terminate();
  }

  private finish(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.closeTimer);
    this.emit('close', this.closeCode, this.closeReason);
  }

  private receive(chunk: Buffer, key: string): void {
    this.input = this.input.length === 0 ? chunk : Buffer.concat([this.input, chunk]);
    if (this.readyState === CONNECTING) {
      const end = this.input.indexOf('\r\n\r\n');
      if (end === -1) {
        if (this.input.length > 16_384) this.fail(new Error('Invalid HTTP response: headers too long'));
        return;
      }
      const [status = '', ...lines] = this.input.subarray(0, end).toString('latin1').split('\r\n');
      this.input = this.input.subarray(end + 4);
      const code = /^HTTP\/1\.1 (\d{3})/.exec(status)?.[1];
      if (code === undefined) {
        this.fail(new Error(`Unexpected server response: ${status}`));
        return;
      }
      if (code !== '101') {
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const colon = line.indexOf(':');
          if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        this.fail(new UnexpectedResponse(Number(code), headers));
        return;
      }
      const accept = lines
        .map((l) => /^sec-websocket-accept:\s*(.*)$/i.exec(l)?.[1]?.trim())
        .find((v) => v !== undefined);
      if (accept !== acceptFor(key)) {
        this.fail(new Error('Invalid Sec-WebSocket-Accept header'));
        return;
      }
      clearTimeout(this.handshakeTimer);
      this.readyState = OPEN;
      this.emit('open');
    }
    this.readFrames();
  }

  private readFrames(): void {
    while (this.input.length >= 2 && this.readyState !== CLOSED) {
      const first = this.input[0] ?? 0;
      const second = this.input[1] ?? 0;
      const opcode = first & 0x0f;
      const masked = (second & 0x80) !== 0;
      let length = second & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.input.length < 4) return;
        length = this.input.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.input.length < 10) return;
        length = Number(this.input.readBigUInt64BE(2));
        offset = 10;
      }
      if (length > MAX_FRAME_BYTES) {
        this.protocolError(1009, 'frame too large');
        return;
      }
      const maskAt = offset;
      if (masked) offset += 4;
      if (this.input.length < offset + length) return;
      const payload = Buffer.from(this.input.subarray(offset, offset + length));
      if (masked)
        for (let i = 0; i < length; i++) payload[i] = (payload[i] ?? 0) ^ (this.input[maskAt + (i % 4)] ?? 0);
      this.input = this.input.subarray(offset + length);
      this.frame(opcode, payload);
    }
  }

  private frame(opcode: number, payload: Buffer): void {
    switch (opcode) {
      case OP_PING:
        if (this.readyState === OPEN) this.socket?.write(encodeFrame(OP_PONG, payload));
        return;
      case OP_PONG:
        this.emit('pong');
        return;
      case OP_CLOSE:
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.closeReason = payload.length > 2 ? payload.subarray(2).toString() : '';
        // Answer with the same code, then the server closes the TCP connection.
        this.sendClose(this.closeCode === 1005 ? 1000 : this.closeCode, '');
        this.readyState = CLOSING;
        this.socket?.end();
        return;
      case OP_TEXT:
      case OP_CONTINUATION:
      case 0x2:
        // The dashboard sends no data on /ws-report; whatever comes is read and dropped.
        return;
      default:
        this.protocolError(1002, `unknown opcode ${opcode}`);
    }
  }

  private protocolError(code: number, reason: string): void {
    this.readyState = CLOSING;
    this.sendClose(code, reason);
    this.closeCode = code;
    this.closeReason = reason;
    this.socket?.end();
    this.emit('error', new Error(`WebSocket protocol error: ${reason}`));
  }
}
