// What the list shows: which servers match the search and status filter, in which order, in which groups.
// Pure functions of the servers' latest info, so they are cheap to recompute and easy to test.

import type { FrontendServerInfo } from '@sss/protocol';
import type { MessageKey } from './messages';

export const SORT_KEYS = [
  'name',
  'status',
  'group',
  'cpu',
  'memory',
  'disk',
  'netIn',
  'netOut',
  'uptime',
  'lastSeen',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** What each sort key is called on screen (table headings, the cards' sort menu). */
export const SORT_LABELS: Record<SortKey, MessageKey> = {
  name: 'name',
  status: 'status',
  group: 'group',
  cpu: 'cpu',
  memory: 'memory',
  disk: 'disk',
  netIn: 'networkIn',
  netOut: 'networkOut',
  uptime: 'uptime',
  lastSeen: 'lastUpdate',
};
export type SortDir = 'asc' | 'desc';
export interface Sort {
  key: SortKey;
  dir: SortDir;
}

export type StatusFilter = 'all' | 'online' | 'offline';

/** The fields filtering looks at: a server's info, or the store's smaller copy of them. */
type Identity = Pick<FrontendServerInfo, 'serverId' | 'serverName' | 'group' | 'online'>;

export function isOnline(info: Pick<FrontendServerInfo, 'online'>): boolean {
  return info.online !== false;
}

/** Used share of all filesystems together, 0-100, and the byte totals behind it. */
export function diskUsage(info: FrontendServerInfo): { percent: number; used: number; size: number } {
  let used = 0;
  let free = 0;
  for (const d of info.disk) {
    used += d.used;
    free += d.free;
  }
  const size = used + free;
  return { percent: size > 0 ? (used / size) * 100 : 0, used, size };
}

/** Case-insensitive match of every word of the query against name, id or group. */
export function matches(info: Identity, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = `${info.serverName}\n${info.serverId}\n${info.group ?? ''}`.toLowerCase();
  return words.every((w) => haystack.includes(w));
}

export function passesStatus(info: Identity, filter: StatusFilter): boolean {
  return filter === 'all' || (filter === 'online') === isOnline(info);
}

/** Sort keys whose values change with every report (the others: name, group, status). */
export function isLiveKey(key: SortKey): boolean {
  return key !== 'name' && key !== 'group' && key !== 'status';
}

/** Numeric keys sort largest first when first clicked: the busiest server is the interesting one. */
export function defaultDir(key: SortKey): SortDir {
  return key === 'name' || key === 'group' ? 'asc' : 'desc';
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function sortValue(info: FrontendServerInfo, key: Exclude<SortKey, 'name' | 'group'>): number {
  switch (key) {
    case 'status':
      return isOnline(info) ? 1 : 0;
    case 'cpu':
      return info.cpu.percent;
    case 'memory':
      return info.memory.usedPercent;
    case 'disk':
      return diskUsage(info).percent;
    case 'netIn':
      return info.network.inSpeed;
    case 'netOut':
      return info.network.outSpeed;
    case 'uptime':
      return info.system.uptime;
    case 'lastSeen':
      return info.lastSeen;
  }
}

/** A comparator for the sort; ties fall back to the name, then the id, so the order is stable. */
export function comparator(sort: Sort): (a: FrontendServerInfo, b: FrontendServerInfo) => number {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const byName = (a: FrontendServerInfo, b: FrontendServerInfo) =>
    collator.compare(a.serverName, b.serverName) || collator.compare(a.serverId, b.serverId);
  const { key } = sort;
  if (key === 'name') return (a, b) => sign * byName(a, b);
  if (key === 'group') return (a, b) => sign * collator.compare(a.group ?? '', b.group ?? '') || byName(a, b);
  return (a, b) => sign * (sortValue(a, key) - sortValue(b, key)) || byName(a, b);
}

/** Group names in order, "" (the servers without a group) last. */
export function orderGroups(names: Iterable<string>): string[] {
  return [...new Set(names)].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : collator.compare(a, b)));
}
