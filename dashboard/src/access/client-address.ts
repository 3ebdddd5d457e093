import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { type Parser, SettingError } from '@sss/protocol';

interface Range {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

function parseRange(entry: string): Range | undefined {
  const [address = '', prefix, extra] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return undefined;
  const max = version === 4 ? 32 : 128;
  const bits = prefix === undefined ? max : Number(prefix);
  if (prefix !== undefined && (!/^\d+$/.test(prefix) || bits > max)) return undefined;
  return { address, prefix: bits, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Parses a comma-separated list of addresses and CIDRs, e.g. "10.0.0.0/8, 192.168.1.5, fd00::/8". */
export const addressList: Parser<string[]> = (raw, name) => {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    if (!parseRange(entry)) {
      throw new SettingError(
        name,
        `${name} must be a comma-separated list of IP addresses or CIDRs such as 10.0.0.0/8, got "${entry}"`,
      );
    }
  }
  return entries;
};

/** A peer's address as the limits count it: an IPv4-mapped IPv6 address is written as IPv4. */
export function plainAddress(address: string | undefined): string {
  const text = address ?? '';
  return text.startsWith('::ffff:') && isIP(text.slice(7)) === 4 ? text.slice(7) : text;
}

/**
 * What the per-address limits count under: an IPv4 address itself, an IPv6 address its /64. A host or a household
 * is given a whole /64 (RFC 6177) and may use any of its 2^64 addresses, so counting them one by one would let one
 * client past every per-address limit; IPv4's NAT puts many behind one address already.
 */
export function addressKey(address: string): string {
  const plain = address.split('%')[0] ?? '';
  if (isIP(plain) !== 6) return address;
  const groups = (part: string | undefined) =>
    part ? part.split(':').flatMap((g) => (g.includes('.') ? ipv4Groups(g) : [g])) : [];
  const [head, tail] = plain.split('::');
  const left = groups(head);
  const right = groups(tail);
  const all = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${all
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** An IPv4 tail of an IPv6 address (`::1.2.3.4`) as its two 16-bit groups. */
function ipv4Groups(text: string): string[] {
  const [a = 0, b = 0, c = 0, d = 0] = text.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}

/** Who a request comes from: the peer, or behind a trusted proxy the client X-Forwarded-For names. */
export class ClientAddresses {
  private readonly trusted = new BlockList();
  private readonly empty: boolean;

  constructor(entries: readonly string[] = []) {
    this.empty = entries.length === 0;
    for (const entry of entries) {
      const range = parseRange(entry);
      if (range) this.trusted.addSubnet(range.address, range.prefix, range.family);
    }
  }

  isTrusted(address: string): boolean {
    if (this.empty) return false;
    const version = isIP(address);
    return version !== 0 && this.trusted.check(address, version === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * The client's address. Only a trusted proxy's X-Forwarded-For counts, and in it the right-most hop that is not
   * itself a trusted proxy: hops further left were written by the client and prove nothing.
   */
  of(req: IncomingMessage): string {
    const peer = plainAddress(req.socket.remoteAddress);
    if (!this.isTrusted(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = plainAddress(hops[i]?.trim());
      if (isIP(hop) === 0) break;
      client = hop;
      if (!this.isTrusted(hop)) break;
    }
    return client;
  }
}
