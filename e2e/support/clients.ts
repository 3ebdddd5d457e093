import type { FrontendServerInfo, ServerInfo } from '@sss/protocol';
import { WebSocket } from 'ws';
import { Recorder } from './recorder';

export interface Closed {
  code: number;
  reason: string;
}

/** Resolves when the socket is open; rejects on error or after timeoutMs. */
export function opened(ws: WebSocket, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not open within ${timeoutMs} ms`)), timeoutMs);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Resolves with the close code and reason; rejects after timeoutMs. */
export function closed(ws: WebSocket, timeoutMs = 5_000): Promise<Closed> {
  return new Promise((resolve, reject) => {
    if (ws.readyState === WebSocket.CLOSED) reject(new Error('already closed'));
    const timer = setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms`)), timeoutMs);
    ws.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}

/** A reporter as the seed describes it: a WebSocket on /ws-report with the two headers. */
export function connectReporter(wsUrl: string, serverId: string, secret: string): WebSocket {
  const ws = new WebSocket(`${wsUrl}/ws-report`, {
    headers: { 'X-AUTH-SECRET': secret, 'X-SERVER-ID': serverId },
  });
  ws.on('error', () => {}); // failures surface through opened()/closed()
  return ws;
}

export function sendReport(ws: WebSocket, info: ServerInfo): void {
  ws.send(JSON.stringify(info));
}

/** A /ws-frontend client that records every message with the time it arrived. */
export class FrontendClient {
  readonly ws: WebSocket;
  private readonly received = new Recorder<{ at: number; info: FrontendServerInfo }>();
  readonly messages: readonly { at: number; info: FrontendServerInfo }[] = this.received.items;

  constructor(wsUrl: string, query = '') {
    this.ws = new WebSocket(`${wsUrl}/ws-frontend${query}`);
    this.ws.on('error', () => {});
    this.ws.on('message', (data) => {
      this.received.push({ at: performance.now(), info: JSON.parse(data.toString()) as FrontendServerInfo });
    });
  }

  open(timeoutMs?: number): Promise<void> {
    return opened(this.ws, timeoutMs);
  }

  /** The first message (already received or future) from index `from` on that matches. */
  waitFor(
    match: (info: FrontendServerInfo) => boolean,
    timeoutMs = 5_000,
    from = 0,
  ): Promise<{ at: number; info: FrontendServerInfo }> {
    const what = () => `no such frontend message among ${this.messages.length}`;
    return this.received.waitFor((m) => match(m.info), timeoutMs, what, from);
  }

  close(): void {
    this.ws.close();
  }
}
