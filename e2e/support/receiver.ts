// A webhook receiver for the alert tests: a real HTTP server on loopback that records every request body. It can
// be down (not listening on its port), slow (holds each answer), or answer at once.

import { createServer, type Server, type ServerResponse } from 'node:http';
import { Recorder } from './recorder';

export interface Received {
  /** Date.now() at arrival. */
  at: number;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** One alert of a webhook body (Alertmanager's webhook shape). */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  fingerprint: string;
  generatorURL?: string;
}

export class WebhookReceiver {
  private readonly received = new Recorder<Received>();
  readonly requests: readonly Received[] = this.received.items;
  /** Milliseconds each answer is held (0: at once). */
  delayMs = 0;
  private server: Server | undefined;
  private readonly held = new Set<ServerResponse>();

  /**
   * Port 0 (the default) lets `up` take one the system picks, known from then on; a fixed port (from freePort) is
   * for a receiver that is down at first while its URL is already configured.
   */
  constructor(private bound = 0) {}

  get port(): number {
    return this.bound;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Starts listening on its port (it is down until then). */
  async up(): Promise<void> {
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      req.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // recorded as text
        }
        this.received.push({ at: Date.now(), path: req.url ?? '', headers: req.headers, body });
        const answer = () => {
          this.held.delete(res);
          if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        };
        if (this.delayMs === 0) return answer();
        this.held.add(res);
        setTimeout(answer, this.delayMs).unref();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.bound, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (typeof address === 'object' && address) this.bound = address.port;
    this.server = server;
  }

  /** Every alert received, in order, with the time its request arrived. */
  alerts(): (WebhookAlert & { at: number })[] {
    return this.requests.flatMap((r) =>
      ((r.body as { alerts?: WebhookAlert[] }).alerts ?? []).map((a) => ({ ...a, at: r.at })),
    );
  }

  /** Resolves with the first alert (already received or future, in requests from index `from` on) that matches. */
  async waitForAlert(
    match: (a: WebhookAlert) => boolean,
    timeoutMs = 10_000,
    from = 0,
  ): Promise<WebhookAlert & { at: number }> {
    const request = await this.received.waitFor(
      (r) => ((r.body as { alerts?: WebhookAlert[] }).alerts ?? []).some(match),
      timeoutMs,
      () => `no such alert among ${JSON.stringify(this.alerts())}`,
      from,
    );
    const alert = ((request.body as { alerts: WebhookAlert[] }).alerts ?? []).find(match) as WebhookAlert;
    return { ...alert, at: request.at };
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.held.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
