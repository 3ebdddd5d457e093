// The alert list (#/alerts): firing alerts live from the servers' messages, resolved ones from GET /api/alerts
// (the newest 100 the dashboard keeps, 100 more per click; fetched again whenever the firing set changes), filtered
// by severity and state, each with how long it has fired.

import { createMemo, createResource, createSignal, For, Show, untrack } from 'solid-js';
import {
  type AlertStateFilter,
  firingRows,
  resolvedRows,
  SEVERITY_FILTERS,
  SEVERITY_LABELS,
  type SeverityFilter,
  STATE_FILTERS,
  selectRows,
  summaryIn,
} from '../alerts';
import { fetchAlerts } from '../api';
import { now } from '../clock';
import { dateTime } from '../format';
import { ago, duration, lang, t } from '../i18n';
import { serverHref } from '../route';
import { alertsVersion, servers } from '../store';
import { ArrowLeft, Bell } from './Icons';

const STATE_LABELS = { firing: 'firing', resolved: 'resolved', all: 'all' } as const;
/** Resolved alerts fetched at first, and how many more each click on "older" adds. */
const RESOLVED_PAGE = 100;

function Filter<T extends string>(props: {
  name: string;
  label: string;
  values: readonly T[];
  value: T;
  labelOf: (value: T) => string;
  onChange: (value: T) => void;
}) {
  return (
    <fieldset class="segmented" aria-label={props.label} data-filter-group={props.name}>
      <For each={props.values}>
        {(value) => (
          <button
            type="button"
            data-value={value}
            aria-pressed={props.value === value}
            onClick={() => props.onChange(value)}
          >
            {props.labelOf(value)}
          </button>
        )}
      </For>
    </fieldset>
  );
}

export function AlertsView() {
  const [severity, setSeverity] = createSignal<SeverityFilter>('all');
  const [state, setState] = createSignal<AlertStateFilter>('firing');
  const firing = createMemo(() => {
    alertsVersion();
    return firingRows(servers().map((entry) => untrack(entry.info)));
  });
  const [limit, setLimit] = createSignal(RESOLVED_PAGE);
  const [resolved] = createResource(
    () => ({ firing: firing().length, version: alertsVersion(), limit: limit() }),
    (source) => fetchAlerts('resolved', source.limit).then(resolvedRows),
  );
  const rows = () => selectRows([...firing(), ...(resolved.latest ?? [])], severity(), state());

  return (
    <div class="alerts-view">
      <a class="back" href="#/">
        <ArrowLeft /> {t('back')}
      </a>
      <section class="panel">
        <div class="panel-head alerts-head">
          <h1 class="panel-title">
            <Bell /> {t('alerts')}
          </h1>
          <div class="alert-filters">
            <Filter
              name="severity"
              label={t('severity')}
              values={SEVERITY_FILTERS}
              value={severity()}
              labelOf={(v) => t(v === 'all' ? 'all' : SEVERITY_LABELS[v])}
              onChange={setSeverity}
            />
            <Filter
              name="state"
              label={t('alertState')}
              values={STATE_FILTERS}
              value={state()}
              labelOf={(v) => t(STATE_LABELS[v])}
              onChange={setState}
            />
          </div>
        </div>
        <Show when={resolved.error && state() !== 'firing'}>
          <p class="muted">
            {t('resolvedUnavailable', { reason: String((resolved.error as Error).message) })}
          </p>
        </Show>
        <Show
          when={rows().length > 0}
          fallback={
            <p class="empty">
              {firing().length === 0 && state() === 'firing' ? t('noAlerts') : t('noAlertsMatch')}
            </p>
          }
        >
          <div class="table-wrap">
            <table class="alert-list">
              <thead>
                <tr>
                  <th>{t('severity')}</th>
                  <th>{t('alert')}</th>
                  <th>{t('server')}</th>
                  <th>{t('summary')}</th>
                  <th>{t('alertState')}</th>
                  <th>{t('duration')}</th>
                </tr>
              </thead>
              <tbody>
                <For each={rows()}>
                  {(row) => (
                    <tr
                      data-fingerprint={row.fingerprint}
                      data-state={row.state}
                      data-severity={row.severity}
                    >
                      <td>
                        <span class="badge alert-badge" data-severity={row.severity}>
                          {t(SEVERITY_LABELS[row.severity])}
                        </span>
                      </td>
                      <td class="alert-name">{row.name}</td>
                      <td>
                        <a href={serverHref(row.serverId)}>{row.serverName}</a>
                      </td>
                      <td class="alert-summary">
                        {summaryIn(lang(), row, { id: row.serverId, name: row.serverName })}
                      </td>
                      <td class="alert-state" data-state={row.state}>
                        {t(row.state)}
                      </td>
                      <td class="alert-duration" title={dateTime(row.since)}>
                        {row.state === 'firing'
                          ? t('firingFor', { d: duration(Math.max(0, now() - row.since)) })
                          : `${t('firedFor', { d: duration(Math.max(0, (row.until ?? row.since) - row.since)) })} · ${t(
                              'resolvedAgo',
                              { ago: ago(row.until ?? row.since, now()) },
                            )}`}
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        </Show>
        <Show when={state() !== 'firing' && (resolved.latest?.length ?? 0) >= limit()}>
          <p class="more-alerts">
            <button
              type="button"
              class="link-button"
              data-action="older"
              onClick={() => setLimit(limit() + RESOLVED_PAGE)}
            >
              {t('olderAlerts')}
            </button>
          </p>
        </Show>
      </section>
    </div>
  );
}
