// Counts at a glance; the online and offline tiles double as the status filter.

import { speed } from '../format';
import { t } from '../i18n';
import { listing, setStatusFilter, statusFilter } from '../list';
import type { StatusFilter } from '../view';
import { ArrowDown, ArrowUp } from './Icons';

function FilterTile(props: { filter: StatusFilter; label: string; value: number }) {
  const active = () => statusFilter() === props.filter;
  return (
    <button
      type="button"
      class="tile tile-button"
      classList={{ active: active() }}
      data-filter={props.filter}
      aria-pressed={active()}
      onClick={() => setStatusFilter(active() && props.filter !== 'all' ? 'all' : props.filter)}
    >
      <span class="tile-label">
        <span class="dot" />
        {props.label}
      </span>
      <span class="tile-value" data-count={props.filter}>
        {props.value}
      </span>
    </button>
  );
}

export function Summary() {
  const c = listing.counts;
  return (
    <section class="summary" aria-label={t('servers')}>
      <FilterTile filter="all" label={t('servers')} value={c().total} />
      <FilterTile filter="online" label={t('online')} value={c().online} />
      <FilterTile filter="offline" label={t('offline')} value={c().offline} />
      <div class="tile">
        <span class="tile-label">
          <ArrowDown /> {t('networkIn')}
        </span>
        <span class="tile-value small">{speed(c().inSpeed)}</span>
      </div>
      <div class="tile">
        <span class="tile-label">
          <ArrowUp /> {t('networkOut')}
        </span>
        <span class="tile-value small">{speed(c().outSpeed)}</span>
      </div>
    </section>
  );
}
