// Search box, the cards' grouping and sort order, and the cards/table switch. "/" focuses the search from
// anywhere on the page.

import { createMemo, For, onCleanup, onMount, Show, untrack } from 'solid-js';
import { firingRows, worstSeverity } from '../alerts';
import { t } from '../i18n';
import { listing, query, setGroupBy, setQuery, setSort, setViewMode, sort, viewMode } from '../list';
import { ALERTS_HREF } from '../route';
import { alertsVersion, servers } from '../store';
import {
  defaultDir,
  GROUP_BY_LABELS,
  GROUP_BYS,
  type GroupBy,
  SORT_KEYS,
  SORT_LABELS,
  type SortKey,
} from '../view';
import { ArrowDown, ArrowUp, Bell, Grid, Rows, Search } from './Icons';

/** What the cards are grouped by, where servers are Kubernetes Nodes: group, zone or role. */
function GroupByMenu() {
  return (
    <select
      class="group-by"
      aria-label={t('groupBy')}
      title={t('groupBy')}
      value={listing.grouping()}
      onChange={(e) => setGroupBy(e.currentTarget.value as GroupBy)}
    >
      <For each={[...GROUP_BYS]}>{(by) => <option value={by}>{t(GROUP_BY_LABELS[by])}</option>}</For>
    </select>
  );
}

/** The cards' sort order (the table sorts by its headings). */
function SortMenu() {
  return (
    <div class="sort-menu">
      <select
        aria-label={t('sortBy')}
        title={t('sortBy')}
        value={sort().key}
        onChange={(e) => {
          const key = e.currentTarget.value as SortKey;
          setSort({ key, dir: defaultDir(key) });
        }}
      >
        <For each={[...SORT_KEYS]}>{(key) => <option value={key}>{t(SORT_LABELS[key])}</option>}</For>
      </select>
      <button
        type="button"
        class="icon-button"
        data-action="sort-direction"
        title={sort().dir === 'asc' ? t('ascending') : t('descending')}
        aria-label={sort().dir === 'asc' ? t('ascending') : t('descending')}
        onClick={() => setSort({ key: sort().key, dir: sort().dir === 'asc' ? 'desc' : 'asc' })}
      >
        {sort().dir === 'asc' ? <ArrowUp /> : <ArrowDown />}
      </button>
    </div>
  );
}

/** The way to the alert list, with the number of firing alerts in the colour of the worst. */
function AlertsLink() {
  const firing = createMemo(() => {
    alertsVersion();
    return firingRows(servers().map((entry) => untrack(entry.info)));
  });
  return (
    <a
      class="alerts-link"
      href={ALERTS_HREF}
      data-action="alerts"
      data-severity={worstSeverity(firing()) ?? 'none'}
      title={t('alertsFiring', { n: firing().length })}
    >
      <Bell />
      <span>{t('alerts')}</span>
      <span class="alerts-count" data-count="alerts">
        {firing().length}
      </span>
    </a>
  );
}

export function Toolbar() {
  let input!: HTMLInputElement;
  const placeholder = () => t(listing.kubernetes() ? 'searchPlaceholderKubernetes' : 'searchPlaceholder');
  onMount(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.key === '/' && !target?.closest('input, textarea')) {
        e.preventDefault();
        input.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    onCleanup(() => document.removeEventListener('keydown', onKey));
  });
  return (
    <div class="toolbar">
      <label class="search">
        <Search />
        <input
          ref={input}
          type="search"
          placeholder={placeholder()}
          aria-label={placeholder()}
          value={query()}
          onInput={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setQuery('');
          }}
        />
      </label>
      <Show when={viewMode() === 'cards'}>
        <Show when={listing.kubernetes()}>
          <GroupByMenu />
        </Show>
        <SortMenu />
      </Show>
      <AlertsLink />
      <div class="segmented">
        <button
          type="button"
          data-view="cards"
          aria-pressed={viewMode() === 'cards'}
          onClick={() => setViewMode('cards')}
          title={t('cards')}
        >
          <Grid />
          <span>{t('cards')}</span>
        </button>
        <button
          type="button"
          data-view="table"
          aria-pressed={viewMode() === 'table'}
          onClick={() => setViewMode('table')}
          title={t('table')}
        >
          <Rows />
          <span>{t('table')}</span>
        </button>
      </div>
    </div>
  );
}
