// A server's firing alerts as badges in their severity's colour, each named by its alert; the tooltip says the
// summary and how long it has fired. Where room is short (a table row) the first `limit` show and "+N" the rest.

import type { ServerAlert } from '@sss/protocol';
import { For, Show } from 'solid-js';
import { SEVERITY_LABELS, summaryIn } from '../alerts';
import { now } from '../clock';
import { duration, lang, t } from '../i18n';
import { Bell } from './Icons';

export function AlertBadges(props: {
  alerts: readonly ServerAlert[];
  /** The server's id and display name, for the summaries. */
  server: { id: string; name: string };
  limit?: number;
}) {
  const shown = () => props.alerts.slice(0, props.limit);
  const hidden = () => props.alerts.slice(shown().length);
  const tip = (a: ServerAlert) =>
    `${a.name} (${t(SEVERITY_LABELS[a.severity])}): ${summaryIn(lang(), a, props.server)} · ${t('firingFor', {
      d: duration(Math.max(0, now() - a.since)),
    })}`;
  return (
    <ul
      class="badges alert-badges"
      aria-label={t('alerts')}
      data-alerts={props.alerts.map((a) => a.name).join(' ')}
    >
      <For each={shown()}>
        {(a) => (
          <li class="badge alert-badge" data-severity={a.severity} title={tip(a)}>
            <Bell /> {a.name}
          </li>
        )}
      </For>
      <Show when={hidden()[0]}>
        {(first) => (
          <li class="badge alert-badge" data-severity={first().severity} title={hidden().map(tip).join('\n')}>
            +{hidden().length}
          </li>
        )}
      </Show>
    </ul>
  );
}
