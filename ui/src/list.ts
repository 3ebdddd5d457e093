// The list page's state: search, status filter, sort, view mode and collapsed groups, and what they select.

import type { FrontendServerInfo } from '@sss/protocol';
import { createMemo, createRoot, createSignal, untrack } from 'solid-js';
import { oneOf, persisted, stringList } from './prefs';
import { type ServerEntry, servers } from './store';
import {
  comparator,
  defaultDir,
  isLiveKey,
  isOnline,
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

export function isCollapsed(group: string): boolean {
  return collapsed().includes(group);
}

export function toggleGroup(group: string): void {
  setCollapsed((list) => (list.includes(group) ? list.filter((g) => g !== group) : [...list, group]));
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
    let online = 0;
    let inSpeed = 0;
    let outSpeed = 0;
    for (const entry of servers()) {
      const info = entry.info();
      if (!isOnline(info)) continue;
      online += 1;
      inSpeed += info.network.inSpeed;
      outSpeed += info.network.outSpeed;
    }
    return { total: servers().length, online, offline: servers().length - online, inSpeed, outSpeed };
  });

  /**
   * The servers that pass the search and the status filter, in the chosen order. It depends on each server's
   * name, group and status, not on its figures, so an ordinary report does not recompute it.
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

  return { counts, shown };
});
