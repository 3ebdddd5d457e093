import type { ConnectionsInfo } from '@sss/protocol';

/** `inuse` of the TCP and UDP lines of /proc/net/sockstat (`TCP: inuse 5 orphan 0 ...`) or sockstat6 (`TCP6:`). */
export function parseSockstat(text: string): { tcp: number; udp: number } {
  const inuse = (protocol: string) => {
    const match = new RegExp(`^${protocol}6?: inuse (\\d+)`, 'm').exec(text);
    return match?.[1] ? Number(match[1]) : 0;
  };
  if (!/^(TCP|UDP)6?:/m.test(text)) throw new Error('no TCP or UDP line in sockstat');
  return { tcp: inuse('TCP'), udp: inuse('UDP') };
}

/** `CurrEstab` of /proc/net/snmp's `Tcp:` lines (a header line, then the values): IPv4 and IPv6 together. */
export function parseSnmpCurrEstab(text: string): number {
  const lines = text.split('\n').filter((l) => l.startsWith('Tcp:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  const value = Number(values[names.indexOf('CurrEstab')]);
  if (!Number.isFinite(value) || names.indexOf('CurrEstab') === -1)
    throw new Error('no Tcp CurrEstab in snmp');
  return value;
}

/** The socket counts: sockstat (+ sockstat6, absent when IPv6 is off) and snmp of the host's namespace. */
export function connections(sockstat: string, sockstat6: string | undefined, snmp: string): ConnectionsInfo {
  const v4 = parseSockstat(sockstat);
  const v6 = sockstat6 ? parseSockstat(sockstat6) : { tcp: 0, udp: 0 };
  return { tcp: v4.tcp + v6.tcp, tcpEstablished: parseSnmpCurrEstab(snmp), udp: v4.udp + v6.udp };
}
