// Every shown server as one row; click a column heading to sort by it (again to reverse). Only the rows near
// the screen are in the document (spacer rows stand in for the others), so 500 live rows cost what 40 do.
// Where servers are Kubernetes Nodes, a Node column shows their badges.

import { createMemo, createSignal, For, type JSX, onCleanup, onMount, Show } from 'solid-js';
import { now } from '../clock';
import { bytes, load, percent, speed, swapPercent } from '../format';
import { ago, duration, t } from '../i18n';
import { listing, sort, sortBy } from '../list';
import { capacityOf } from '../node';
import { serverHref } from '../route';
import { agentState, neverReported, STATE_LABELS } from '../status';
import type { ServerEntry } from '../store';
import { diskUsage, SORT_LABELS, type SortKey } from '../view';
import { AlertBadges } from './AlertBadges';
import { Flag } from './Flag';
import { ArrowDown, ArrowUp } from './Icons';
import { Meter } from './Meter';
import { NodeBadges } from './NodeBadges';

type Column = { key: SortKey; class: string; dotOnly?: boolean };

/** The columns before the Node column, and those after it. */
const IDENTITY: Column[] = [
  { key: 'status', class: 'col-status', dotOnly: true },
  { key: 'name', class: 'col-name' },
  { key: 'group', class: 'col-group' },
];
const FIGURES: Column[] = [
  { key: 'cpu', class: 'col-meter' },
  { key: 'memory', class: 'col-meter' },
  { key: 'disk', class: 'col-meter' },
  { key: 'load', class: 'num col-small' },
  { key: 'swap', class: 'num col-small' },
  { key: 'netIn', class: 'num' },
  { key: 'netOut', class: 'num' },
  { key: 'uptime', class: 'num' },
  { key: 'lastSeen', class: 'num' },
];

function Heading(props: Column) {
  const label = () => t(SORT_LABELS[props.key]);
  const active = () => sort().key === props.key;
  const ariaSort = (): JSX.AriaAttributes['aria-sort'] =>
    active() ? (sort().dir === 'asc' ? 'ascending' : 'descending') : 'none';
  return (
    <th class={props.class} aria-sort={ariaSort()} data-sort-key={props.key}>
      <button type="button" class="sort" onClick={() => sortBy(props.key)} title={label()}>
        {props.dotOnly ? <span class="dot" /> : null}
        <span classList={{ 'sr-only': props.dotOnly }}>{label()}</span>
        <span class="sort-mark" classList={{ on: active() }}>
          {active() && sort().dir === 'asc' ? <ArrowUp /> : <ArrowDown />}
        </span>
      </button>
    </th>
  );
}

function Row(props: { entry: ServerEntry; kubernetes: boolean }) {
  const info = () => props.entry.info();
  const state = () => agentState(info());
  return (
    <tr classList={{ offline: state() !== 'online' }} data-server-id={props.entry.id}>
      <td class="col-status">
        <span class="dot row-dot" data-status={state()} title={t(STATE_LABELS[state()])} />
      </td>
      <td class="col-name">
        <div class="name-cell">
          <Flag code={info().countryCode} />
          <a href={serverHref(props.entry.id)} title={info().serverName || props.entry.id}>
            {info().serverName || props.entry.id}
          </a>
          <Show when={info().alerts}>
            {(alerts) => (
              <AlertBadges
                alerts={alerts()}
                server={{ id: info().serverId, name: info().serverName || info().serverId }}
                limit={1}
              />
            )}
          </Show>
        </div>
      </td>
      <td class="col-group">{info().group || '–'}</td>
      <Show when={props.kubernetes}>
        <td class="col-node">
          <Show when={info().kubernetes}>{(node) => <NodeBadges node={node()} limit={1} />}</Show>
        </td>
      </Show>
      <Show
        when={state() !== 'missing'}
        fallback={
          <>
            <td class="col-missing" colSpan={3} data-field="agentMissing">
              {t(STATE_LABELS.missing)} · {t('cores', { n: capacityOf(info()).cpu })} ·{' '}
              {bytes(capacityOf(info()).memory)}
            </td>
            <td class="num">–</td>
            <td class="num">–</td>
            <td class="num">–</td>
            <td class="num">–</td>
            <td class="num">–</td>
          </>
        }
      >
        <td class="col-meter" data-field="cpu">
          <Meter compact label={t('cpu')} value={info().cpu.percent} />
        </td>
        <td class="col-meter" data-field="memory">
          <Meter compact label={t('memory')} value={info().memory.usedPercent} />
        </td>
        <td class="col-meter" data-field="disk">
          <Meter compact label={t('disk')} value={diskUsage(info()).percent} />
        </td>
        <td
          class="num col-small"
          data-field="load"
          title={`${t('loadAverage')}: ${load(info().cpu.load1)} · ${load(info().cpu.load5)} · ${load(info().cpu.load15)}`}
        >
          {load(info().cpu.load1)}
        </td>
        <td
          class="num col-small"
          data-field="swap"
          title={
            info().memory.swapTotal === undefined
              ? ''
              : `${t('swap')}: ${bytes(info().memory.swapUsed ?? 0)} / ${bytes(info().memory.swapTotal ?? 0)}`
          }
        >
          {swapPercent(info().memory) !== undefined
            ? percent(swapPercent(info().memory) ?? 0)
            : info().memory.swapTotal === 0
              ? t('noSwap')
              : '–'}
        </td>
        <td class="num" data-field="netIn">
          {speed(info().network.inSpeed)}
        </td>
        <td class="num" data-field="netOut">
          {speed(info().network.outSpeed)}
        </td>
        <td class="num">{duration(info().system.uptime)}</td>
      </Show>
      <td class="num muted">{neverReported(info()) ? t('never') : ago(info().lastSeen, now())}</td>
    </tr>
  );
}

/** Rows kept in the document above and below the screen. */
const OVERSCAN = 12;

export function TableView() {
  let body!: HTMLTableSectionElement;
  const [rowHeight, setRowHeight] = createSignal(40);
  const [first, setFirst] = createSignal(0);
  const [count, setCount] = createSignal(60);

  const measure = () => {
    const row = body.querySelector('tr[data-server-id]');
    const height = row ? row.getBoundingClientRect().height : 0;
    if (height > 0 && Math.abs(height - rowHeight()) > 0.5) setRowHeight(height);
    const top = body.getBoundingClientRect().top;
    setFirst(Math.max(0, Math.floor(-top / rowHeight()) - OVERSCAN));
    setCount(Math.ceil(innerHeight / rowHeight()) + 2 * OVERSCAN);
  };
  let frame = 0;
  const schedule = () => {
    if (!frame) {
      frame = requestAnimationFrame(() => {
        frame = 0;
        measure();
      });
    }
  };
  onMount(() => {
    addEventListener('scroll', schedule, { passive: true });
    addEventListener('resize', schedule);
    schedule();
    onCleanup(() => {
      removeEventListener('scroll', schedule);
      removeEventListener('resize', schedule);
      cancelAnimationFrame(frame);
    });
  });

  const rows = createMemo(() => listing.shown().slice(first(), first() + count()));
  const above = () => Math.min(first(), listing.shown().length) * rowHeight();
  const below = () => Math.max(0, listing.shown().length - first() - count()) * rowHeight();

  const columns = () => IDENTITY.length + FIGURES.length + (listing.kubernetes() ? 1 : 0);

  return (
    <div class="table-wrap">
      <table class="servers" classList={{ kubernetes: listing.kubernetes() }}>
        <thead>
          <tr>
            <For each={IDENTITY}>{(column) => <Heading {...column} />}</For>
            <Show when={listing.kubernetes()}>
              <th class="col-node">{t('node')}</th>
            </Show>
            <For each={FIGURES}>{(column) => <Heading {...column} />}</For>
          </tr>
        </thead>
        <tbody ref={body}>
          <tr class="spacer">
            <td colSpan={columns()} style={{ height: `${above()}px` }} />
          </tr>
          <For each={rows()}>{(entry) => <Row entry={entry} kubernetes={listing.kubernetes()} />}</For>
          <tr class="spacer">
            <td colSpan={columns()} style={{ height: `${below()}px` }} />
          </tr>
        </tbody>
      </table>
    </div>
  );
}
