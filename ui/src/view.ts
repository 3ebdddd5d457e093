// What the list shows: which servers match the search and status filter, in which order, in which groups.
// Pure functions of the servers' latest info, so they are cheap to recompute and easy to test.

import type { FrontendServerInfo } from '@sss/protocol';
import { swapPercent } from './format';
import type { MessageKey } from './messages';
import { type AgentState, agentState, isNotReady, statusRank } from './status';

export const SORT_KEYS = [
  'name',
  'status',
  'group',
  'cpu',
  'memory',
  'disk',
  'load',
  'swap',
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
  load: 'load',
  swap: 'swap',
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

export type StatusFilter = 'all' | 'online' | 'offline' | 'missing' | 'notReady';

/** What each summary tile (and so each status filter) is called. */
export const STATUS_LABELS: Record<StatusFilter, MessageKey> = {
  all: 'servers',
  online: 'online',
  offline: 'offline',
  missing: 'agentMissing',
  notReady: 'notReady',
};

export const GROUP_BYS = ['group', 'zone', 'role'] as const;
/** What the cards are grouped by: the server's group, or its Node's zone or roles. */
export type GroupBy = (typeof GROUP_BYS)[number];

export const GROUP_BY_LABELS: Record<GroupBy, MessageKey> = {
  group: 'byGroup',
  zone: 'byZone',
  role: 'byRole',
};

/** The heading of the servers without the attribute grouped by. */
export const NO_GROUP_LABELS: Record<GroupBy, MessageKey> = {
  group: 'ungrouped',
  zone: 'noZone',
  role: 'noRole',
};

/**
 * The fields the list is filtered, grouped and ordered by (besides the sort column): the store keeps one per
 * server and replaces it only when one of them changes, so an ordinary report does not reorder the list.
 */
export interface ServerMeta {
  readonly serverId: string;
  readonly serverName: string;
  /** "" when the server has none, as zone below. */
  readonly group: string;
  readonly state: AgentState;
  readonly notReady: boolean;
  /** The server is a Kubernetes Node (or a missing agent of one). */
  readonly kubernetes: boolean;
  readonly zone: string;
  readonly roles: readonly string[];
}

export function metaOf(info: FrontendServerInfo): ServerMeta {
  return {
    serverId: info.serverId,
    serverName: info.serverName,
    group: info.group ?? '',
    state: agentState(info),
    notReady: isNotReady(info),
    kubernetes: info.kubernetes !== undefined || info.agentMissing === true,
    zone: info.kubernetes?.zone ?? '',
    roles: info.kubernetes?.roles ?? [],
  };
}

export function sameMeta(a: ServerMeta, b: ServerMeta): boolean {
  return (
    a.serverName === b.serverName &&
    a.group === b.group &&
    a.state === b.state &&
    a.notReady === b.notReady &&
    a.kubernetes === b.kubernetes &&
    a.zone === b.zone &&
    a.roles.length === b.roles.length &&
    a.roles.every((role, i) => role === b.roles[i])
  );
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
  // Halved, so that two sizes near the largest number (a report may claim 1.8e308 bytes) give a share, not 0.
  return { percent: size > 0 ? (used / 2 / (used / 2 + free / 2)) * 100 : 0, used, size };
}

/** Case-insensitive match of every word of the query against name, id, group, and a Node's zone and roles. */
export function matches(meta: ServerMeta, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [meta.serverName, meta.serverId, meta.group, meta.zone, ...meta.roles]
    .join('\n')
    .toLowerCase();
  return words.every((w) => haystack.includes(w));
}

export function passesStatus(meta: ServerMeta, filter: StatusFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'notReady') return meta.notReady;
  return meta.state === filter;
}

/** The heading a server's card goes under; "" for the servers without the attribute. */
export function groupOf(meta: ServerMeta, by: GroupBy): string {
  switch (by) {
    case 'group':
      return meta.group;
    case 'zone':
      return meta.zone;
    case 'role':
      return meta.roles.join(', ');
  }
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
      return statusRank(info);
    case 'cpu':
      return info.cpu.percent;
    case 'memory':
      return info.memory.usedPercent;
    case 'disk':
      return diskUsage(info).percent;
    // Servers whose agent does not send the figure (older agents) sort below every one that does.
    case 'load':
      return info.cpu.load1 ?? -1;
    case 'swap':
      return swapPercent(info.memory) ?? (info.memory.swapTotal === 0 ? 0 : -1);
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

/** Group names in order, "" (the servers without the attribute) last. */
export function orderGroups(names: Iterable<string>): string[] {
  return [...new Set(names)].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : collator.compare(a, b)));
}
