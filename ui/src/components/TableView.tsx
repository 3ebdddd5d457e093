// Every shown server as one row; click a column heading to sort by it (again to reverse).

import { For, type JSX } from 'solid-js';
import { now } from '../clock';
import { speed } from '../format';
import { ago, duration, t } from '../i18n';
import { listing, sort, sortBy } from '../list';
import type { MessageKey } from '../messages';
import { serverHref } from '../route';
import type { ServerEntry } from '../store';
import { diskUsage, isOnline, type SortKey } from '../view';
import { Flag } from './Flag';
import { ArrowDown, ArrowUp } from './Icons';
import { Meter } from './Meter';

const COLUMNS: { key: SortKey; label: MessageKey; class?: string }[] = [
  { key: 'status', label: 'status', class: 'col-status' },
  { key: 'name', label: 'name', class: 'col-name' },
  { key: 'group', label: 'group' },
  { key: 'cpu', label: 'cpu', class: 'col-meter' },
  { key: 'memory', label: 'memory', class: 'col-meter' },
  { key: 'disk', label: 'disk', class: 'col-meter' },
  { key: 'netIn', label: 'networkIn', class: 'num' },
  { key: 'netOut', label: 'networkOut', class: 'num' },
  { key: 'uptime', label: 'uptime', class: 'num' },
  { key: 'lastSeen', label: 'lastUpdate', class: 'num' },
];

function Heading(props: { key: SortKey; label: MessageKey; class?: string }) {
  const active = () => sort().key === props.key;
  const ariaSort = (): JSX.AriaAttributes['aria-sort'] =>
    active() ? (sort().dir === 'asc' ? 'ascending' : 'descending') : 'none';
  return (
    <th class={props.class} aria-sort={ariaSort()} data-sort-key={props.key}>
      <button type="button" class="sort" onClick={() => sortBy(props.key)}>
        {t(props.label)}
        <span class="sort-mark" classList={{ on: active() }}>
          {active() && sort().dir === 'asc' ? <ArrowUp /> : <ArrowDown />}
        </span>
      </button>
    </th>
  );
}

function Row(props: { entry: ServerEntry }) {
  const info = () => props.entry.info();
  const online = () => isOnline(info());
  return (
    <tr classList={{ offline: !online() }} data-server-id={props.entry.id}>
      <td class="col-status">
        <span
          class="dot row-dot"
          classList={{ on: online() }}
          data-status={online() ? 'online' : 'offline'}
          title={online() ? t('online') : t('offline')}
        />
      </td>
      <td class="col-name">
        <Flag code={info().countryCode} />
        <a href={serverHref(props.entry.id)}>{info().serverName || props.entry.id}</a>
      </td>
      <td class="col-group">{info().group || '–'}</td>
      <td class="col-meter" data-field="cpu">
        <Meter compact label={t('cpu')} value={info().cpu.percent} />
      </td>
      <td class="col-meter" data-field="memory">
        <Meter compact label={t('memory')} value={info().memory.usedPercent} />
      </td>
      <td class="col-meter" data-field="disk">
        <Meter compact label={t('disk')} value={diskUsage(info()).percent} />
      </td>
      <td class="num" data-field="netIn">
        {speed(info().network.inSpeed)}
      </td>
      <td class="num" data-field="netOut">
        {speed(info().network.outSpeed)}
      </td>
      <td class="num">{duration(info().system.uptime)}</td>
      <td class="num muted">{ago(info().lastSeen, now())}</td>
    </tr>
  );
}

export function TableView() {
  return (
    <div class="table-wrap">
      <table class="servers">
        <thead>
          <tr>
            <For each={COLUMNS}>{(column) => <Heading {...column} />}</For>
          </tr>
        </thead>
        <tbody>
          <For each={listing.shown()}>{(entry) => <Row entry={entry} />}</For>
        </tbody>
      </table>
    </div>
  );
}
