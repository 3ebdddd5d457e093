import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { SettingError } from '@sss/protocol';
import type { Logger } from 'pino';
import { addressKey, plainAddress } from './client-address';

/** Why a connection was closed by the guard; the `reason` label of sss_connections_dropped_total. */
export const DROP_REASONS = ['address_limit', 'descriptor_limit', 'header_timeout'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** A flood episode ends after this long without a drop of its reason; its end is logged with the count. */
const QUIET_MS = 10_000;

/**
 * Drops in an episode before it is logged as a flood. A limit reached is news at once; a few header timeouts are
 * not (browsers open speculative connections they never use).
 */
const ANNOUNCE_AFTER: Record<DropReason, number> = {
  address_limit: 1,
  descriptor_limit: 1,
  header_timeout: 10,
};

const ANSWERS: Record<string, string> = {
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
};

/** The soft limit on open files (Node.js raised it to the hard limit at start), or undefined when unlimited. */
export function openFilesLimit(limits = '/proc/self/limits'): number | undefined {
  let text: string;
  try {
    text = readFileSync(limits, 'utf8');
  } catch {
    return undefined;
  }
  const soft = /^Max open files\s+(\S+)/m.exec(text)?.[1];
  return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
}

/** The most connections the server may hold: the open-files limit less the head-room (files, DNS, the API). */
export function connectionCeiling(openFiles: number | undefined, headroom: number): number | undefined {
  if (openFiles === undefined) return undefined;
  if (headroom >= openFiles / 2) {
    throw new SettingError(
      'SSS_DESCRIPTOR_HEADROOM',
      `SSS_DESCRIPTOR_HEADROOM (${headroom}) must be below half the open-files limit (${openFiles}); ` +
        'raise the limit (ulimit -n, LimitNOFILE=) or lower the head-room',
    );
  }
  return openFiles - headroom;
}

export interface ConnectionLimits {
  maxPerAddress: number;
  /** Connections held at most; beyond it new ones are closed at accept. Undefined: no ceiling. */
  ceiling: number | undefined;
  /** Addresses the per-address cap spares: trusted proxies carry many clients. */
  exempt: (address: string) => boolean;
}

interface Episode {
  dropped: number;
  since: number;
  last: number;
  announced: boolean;
}

/**
 * Closes at accept the connections beyond the per-address cap and the descriptor ceiling, answers the header
 * timeout itself (so it is counted), and logs each flood once when it starts and once when it ends.
 */
export class ConnectionGuard {
  private readonly perAddress = new Map<string, number>();
  private readonly episodes = new Map<DropReason, Episode>();
  private open = 0;

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly onDrop: (reason: DropReason) => void,
    private readonly log: Logger,
  ) {}

  /** Open TCP connections, upgraded ones included. */
  get connections(): number {
    return this.open;
  }

  attach(server: Server): void {
    if (this.limits.ceiling !== undefined) server.maxConnections = this.limits.ceiling;
    server.on('drop', (data?: { remoteAddress?: string }) =>
      this.drop('descriptor_limit', plainAddress(data?.remoteAddress)),
    );
    server.prependListener('connection', (socket: Socket) => this.admit(socket));
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => this.clientError(err, socket));
  }

  private admit(socket: Socket): void {
    const address = plainAddress(socket.remoteAddress);
    // A trusted proxy's connections count against no cap, not even its /64's (an IPv6 Node's Pods share one).
    const counted = !this.limits.exempt(address);
    const key = addressKey(address);
    const count = (this.perAddress.get(key) ?? 0) + 1;
    if (counted && count > this.limits.maxPerAddress) {
      socket.destroy();
      this.drop('address_limit', key);
      return;
    }
    if (counted) this.perAddress.set(key, count);
    this.open++;
    socket.once('close', () => {
      this.open--;
      if (!counted) return;
      const left = (this.perAddress.get(key) ?? 1) - 1;
      if (left > 0) this.perAddress.set(key, left);
      else this.perAddress.delete(key);
    });
  }

  /** What Node.js does without a clientError listener, plus counting the header timeout. */
  private clientError(err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
      this.drop('header_timeout', plainAddress(socket.remoteAddress));
    const headerSent = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
      ?.headersSent;
    if (socket.writable && !headerSent && err.code !== 'ECONNRESET') {
      socket.write(`HTTP/1.1 ${ANSWERS[err.code ?? ''] ?? '400 Bad Request'}\r\nConnection: close\r\n\r\n`);
    }
    socket.destroy();
  }

  private drop(reason: DropReason, address: string, now = Date.now()): void {
    this.onDrop(reason);
    let episode = this.episodes.get(reason);
    if (episode) {
      episode.dropped++;
      episode.last = now;
    } else {
      episode = { dropped: 1, since: now, last: now, announced: false };
      this.episodes.set(reason, episode);
    }
    if (episode.announced || episode.dropped < ANNOUNCE_AFTER[reason]) return;
    episode.announced = true;
    const limits: Record<DropReason, number | undefined> = {
      address_limit: this.limits.maxPerAddress,
      descriptor_limit: this.limits.ceiling,
      header_timeout: undefined,
    };
    const limit = limits[reason];
    this.log.warn(
      { reason, address, ...(limit === undefined ? {} : { limit }), connections: this.open },
      `connection flood: closing connections (${reason}); logged again when it ends`,
    );
  }

  /** Logs the end of each flood that dropped nothing for QUIET_MS. */
  sweep(now = Date.now()): void {
    for (const [reason, episode] of this.episodes) {
      if (now - episode.last < QUIET_MS) continue;
      this.episodes.delete(reason);
      if (!episode.announced) continue;
      this.log.info(
        { reason, dropped: episode.dropped, seconds: Math.round((episode.last - episode.since) / 1000) },
        'connection flood over',
      );
    }
  }
}
