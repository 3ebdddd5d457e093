// The list page's state: search, status filter, sort, view mode, grouping and collapsed groups, and what they
// select.

import type { FrontendServerInfo } from '@sss/protocol';
import { createMemo, createRoot, createSignal, untrack } from 'solid-js';
import { oneOf, persisted, stringList } from './prefs';
import { agentState, isNotReady } from './status';
import { type ServerEntry, servers } from './store';
import {
  comparator,
  defaultDir,
  GROUP_BYS,
  type GroupBy,
  isLiveKey,
  matches,
  passesStatus,
  SORT_KEYS,
  type Sort,
  type SortKey,
  type StatusFilter,
} from './view';

export type ViewMode = 'cards' | 'table';

export const [query, setQuery] = createSignal('');
export const [statusFilter, setStatusFilter] = createSignal<StatusFilter>('all');
export const [viewMode, setViewMode] = persisted<ViewMode>(
  'view',
  'cards',
  oneOf<ViewMode>(['cards', 'table']),
);
export const [sort, setSort] = persisted<Sort>('sort', { key: 'name', dir: 'asc' }, isSort);
export const [groupBy, setGroupBy] = persisted<GroupBy>('groupBy', 'group', oneOf(GROUP_BYS));
const [collapsed, setCollapsed] = persisted<string[]>('collapsed', [], stringList);

function isSort(value: unknown): value is Sort {
  const v = value as Sort | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    (SORT_KEYS as readonly string[]).includes(v.key) &&
    (v.dir === 'asc' || v.dir === 'desc')
  );
}

/** Clicking a column: the same column flips direction, another starts at its natural direction. */
export function sortBy(key: SortKey): void {
  const current = sort();
  setSort(
    current.key === key
      ? { key, dir: current.dir === 'asc' ? 'desc' : 'asc' }
      : { key, dir: defaultDir(key) },
  );
}

/** A collapsed heading is remembered per grouping: a group by its name, a zone or role after a prefix. */
function collapseKey(by: GroupBy, name: string): string {
  return by === 'group' ? name : `${by}:${name}`;
}

export function isCollapsed(by: GroupBy, name: string): boolean {
  return collapsed().includes(collapseKey(by, name));
}

export function toggleGroup(by: GroupBy, name: string): void {
  const key = collapseKey(by, name);
  setCollapsed((list) => (list.includes(key) ? list.filter((g) => g !== key) : [...list, key]));
}

/**
 * Sorted by a figure that changes with every report, the order is taken again every 2 s rather than on every
 * report: rows that jump several times a second cannot be read, and re-sorting 500 rows per frame is waste.
 */
const REORDER_MS = 2_000;
const [reorderTick, setReorderTick] = createSignal(0);
setInterval(() => setReorderTick((n) => n + 1), REORDER_MS);

export const listing = createRoot(() => {
  const counts = createMemo(() => {
    const c = { total: 0, online: 0, offline: 0, missing: 0, notReady: 0, inSpeed: 0, outSpeed: 0 };
    for (const entry of servers()) {
      const info = entry.info();
      const state = agentState(info);
      c.total += 1;
      c[state] += 1;
      if (isNotReady(info)) c.notReady += 1;
      if (state !== 'online') continue;
      c.inSpeed += info.network.inSpeed;
      c.outSpeed += info.network.outSpeed;
    }
    return c;
  });

  /** Some server is a Kubernetes Node: the Kubernetes tiles, column and grouping show only then. */
  const kubernetes = createMemo(() => servers().some((entry) => entry.meta().kubernetes));

  /** What the cards are grouped by: the chosen grouping, or by group where no server is a Node. */
  const grouping = createMemo<GroupBy>(() => (kubernetes() ? groupBy() : 'group'));

  /**
   * The servers that pass the search and the status filter, in the chosen order. It depends on each server's
   * meta (name, group, status, zone, roles), not on its figures, so an ordinary report does not recompute it.
   */
  const shown = createMemo<ServerEntry[]>(() => {
    const q = query();
    const status = statusFilter();
    const order = sort();
    if (isLiveKey(order.key)) reorderTick();
    const compare = comparator(order);
    const picked: { entry: ServerEntry; info: FrontendServerInfo }[] = [];
    for (const entry of servers()) {
      const meta = entry.meta();
      if (matches(meta, q) && passesStatus(meta, status)) picked.push({ entry, info: untrack(entry.info) });
    }
    picked.sort((a, b) => compare(a.info, b.info));
    return picked.map((p) => p.entry);
  });

  return { counts, kubernetes, grouping, shown };
});
