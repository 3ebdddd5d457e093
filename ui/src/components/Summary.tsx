// Counts at a glance; the status tiles double as the status filter. Agent missing and Not ready show only when
// some server is a Kubernetes Node.

import { Show } from 'solid-js';
import { speed } from '../format';
import { t } from '../i18n';
import { listing, setStatusFilter, statusFilter } from '../list';
import { STATUS_LABELS, type StatusFilter } from '../view';
import { ArrowDown, ArrowUp } from './Icons';

function FilterTile(props: { filter: StatusFilter; value: number }) {
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
        {t(STATUS_LABELS[props.filter])}
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
    <section class="summary" classList={{ kubernetes: listing.kubernetes() }} aria-label={t('servers')}>
      <FilterTile filter="all" value={c().total} />
      <FilterTile filter="online" value={c().online} />
      <FilterTile filter="offline" value={c().offline} />
      <Show when={listing.kubernetes()}>
        <FilterTile filter="missing" value={c().missing} />
        <FilterTile filter="notReady" value={c().notReady} />
      </Show>
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
