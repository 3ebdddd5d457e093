// One server in full: live figures, history charts, every filesystem and the system facts.

import { type FrontendServerInfo, historyPointOf } from '@sss/protocol';
import { createEffect, createMemo, createResource, createSignal, Index, on, onCleanup, Show } from 'solid-js';
import { ApiError, fetchHistory, fetchServer } from '../api';
import { now } from '../clock';
import { bytes, clock, percent, speed } from '../format';
import { ago, duration, t } from '../i18n';
import { append, emptyColumns, prependHistory } from '../series';
import { isOnline } from '../status';
import { type ServerEntry, servers } from '../store';
import { diskUsage } from '../view';
import { countryName, Flag } from './Flag';
import { ArrowDown, ArrowLeft, ArrowUp } from './Icons';
import { LineChart } from './LineChart';
import { Meter } from './Meter';

/** Points shown in the charts: the dashboard keeps 720 (an hour at 5 s). */
const HISTORY_POINTS = 720;

export function DetailsView(props: { id: string }) {
  const entry = createMemo(() => servers().find((e) => e.id === props.id));
  // Opened by address before the live snapshot arrived, or for a server the dashboard does not know: ask.
  const [probe] = createResource(
    () => (entry() ? undefined : props.id),
    (id) =>
      fetchServer(id).then(
        () => 'known' as const,
        (err: unknown) =>
          err instanceof ApiError && err.status === 404 ? ('missing' as const) : ('known' as const),
      ),
  );

  return (
    <div class="details">
      <a class="back" href="#/">
        <ArrowLeft /> {t('back')}
      </a>
      <Show
        when={entry()}
        fallback={
          <p class="empty">{probe() === 'missing' ? t('notFound', { id: props.id }) : t('loading')}</p>
        }
      >
        {(e) => <ServerDetails entry={e()} />}
      </Show>
    </div>
  );
}

function ServerDetails(props: { entry: ServerEntry }) {
  const info = () => props.entry.info();
  const online = () => isOnline(info());

  // Charts: the dashboard's history, extended by every live report while the page is open.
  const cols = emptyColumns();
  const [version, setVersion] = createSignal(0);
  const [interval, setReportInterval] = createSignal(5);
  const [historyError, setHistoryError] = createSignal<string | undefined>();
  createEffect(
    on(info, (i) => {
      if (append(cols, i.lastSeen, historyPointOf(i), HISTORY_POINTS)) setVersion((v) => v + 1);
    }),
  );
  const abort = new AbortController();
  onCleanup(() => abort.abort());
  fetchHistory(props.entry.id, HISTORY_POINTS, abort.signal)
    .then((history) => {
      prependHistory(cols, history, HISTORY_POINTS);
      setReportInterval(history.interval);
      setVersion((v) => v + 1);
    })
    .catch((err: unknown) => {
      if (!abort.signal.aborted) setHistoryError(err instanceof Error ? err.message : String(err));
    });
  const gap = () => Math.max(3 * interval(), 1);
  const pct = (v: number) => percent(v);

  return (
    <>
      <section class="panel details-head">
        <div class="details-title">
          <Flag code={info().countryCode} />
          <h1>{info().serverName || props.entry.id}</h1>
          <span class="status" classList={{ on: online() }} data-status={online() ? 'online' : 'offline'}>
            <span class="dot" />
            {online() ? t('online') : t('offline')}
          </span>
        </div>
        <p class="details-sub">
          <span>{props.entry.id}</span>
          <Show when={info().group}>
            <span>{info().group}</span>
          </Show>
          <Show when={info().location || info().countryCode}>
            <span>{info().location || countryName(info().countryCode ?? '')}</span>
          </Show>
          <Show when={info().ip}>
            <span>{info().ip}</span>
          </Show>
          <span>
            {online() ? t('lastUpdate') : t('lastSeen')} {ago(info().lastSeen, now())}
          </span>
        </p>
        <div class="details-meters">
          <Meter label={t('cpu')} value={info().cpu.percent} detail={t('cores', { n: info().cpu.cores })} />
          <Meter
            label={t('memory')}
            value={info().memory.usedPercent}
            detail={`${bytes(info().memory.used)} / ${bytes(info().memory.total)}`}
          />
          <Meter
            label={t('disk')}
            value={diskUsage(info()).percent}
            detail={`${bytes(diskUsage(info()).used)} / ${bytes(diskUsage(info()).size)}`}
          />
          <div class="details-rates">
            <span class="net-in" title={t('networkIn')}>
              <ArrowDown /> {speed(info().network.inSpeed)}
            </span>
            <span class="net-out" title={t('networkOut')}>
              <ArrowUp /> {speed(info().network.outSpeed)}
            </span>
            <span title={t('uptime')}>
              {t('uptime')} {duration(info().system.uptime)}
            </span>
          </div>
        </div>
      </section>

      <section class="panel">
        <h2 class="panel-title">{t('charts')}</h2>
        <Show when={historyError()}>
          <p class="muted">{t('historyUnavailable', { reason: historyError() ?? '' })}</p>
        </Show>
        <div class="charts">
          <LineChart
            title={t('cpuUsage')}
            t={cols.t}
            series={[{ name: t('cpu'), tone: 'tone-cpu', values: cols.cpu }]}
            max={100}
            format={pct}
            gap={gap()}
            version={version()}
          />
          <LineChart
            title={t('memoryUsage')}
            t={cols.t}
            series={[{ name: t('memory'), tone: 'tone-mem', values: cols.memory }]}
            max={100}
            format={pct}
            gap={gap()}
            version={version()}
          />
          <LineChart
            title={t('networkSpeed')}
            t={cols.t}
            series={[
              { name: t('networkIn'), tone: 'tone-in', values: cols.netIn },
              { name: t('networkOut'), tone: 'tone-out', values: cols.netOut },
            ]}
            format={speed}
            gap={gap()}
            version={version()}
          />
          <LineChart
            title={t('diskSpeed')}
            t={cols.t}
            series={[
              { name: t('read'), tone: 'tone-read', values: cols.diskRead },
              { name: t('write'), tone: 'tone-write', values: cols.diskWrite },
            ]}
            format={speed}
            gap={gap()}
            version={version()}
          />
        </div>
      </section>

      <section class="panel">
        <h2 class="panel-title">{t('filesystems')}</h2>
        <div class="table-wrap">
          <table class="filesystems">
            <thead>
              <tr>
                <th>{t('mount')}</th>
                <th class="col-meter">{t('usage')}</th>
                <th class="num">{t('used')}</th>
                <th class="num">{t('free')}</th>
                <th class="num">{t('size')}</th>
                <th class="num">{t('read')}</th>
                <th class="num">{t('write')}</th>
              </tr>
            </thead>
            <tbody>
              <Index each={info().disk}>
                {(d) => (
                  <tr data-mount={d().path}>
                    <td class="mono">{d().path}</td>
                    <td class="col-meter">
                      <Meter compact label={d().path} value={d().usedPercent} />
                    </td>
                    <td class="num">{bytes(d().used)}</td>
                    <td class="num">{bytes(d().free)}</td>
                    <td class="num">{bytes(d().total)}</td>
                    <td class="num">{speed(d().readSpeed)}</td>
                    <td class="num">{speed(d().writeSpeed)}</td>
                  </tr>
                )}
              </Index>
            </tbody>
          </table>
        </div>
      </section>

      <section class="panel">
        <h2 class="panel-title">{t('system')}</h2>
        <Facts info={info()} />
      </section>
    </>
  );
}

function Facts(props: { info: FrontendServerInfo }) {
  const rows = (): [string, string, string][] => {
    const i = props.info;
    return [
      ['hostname', t('hostname'), i.system.hostname],
      ['os', t('os'), i.system.os],
      ['platform', t('platform'), i.system.platform],
      ['arch', t('arch'), i.system.arch],
      ['kernel', t('kernel'), i.system.kernel],
      ['cpuModel', t('cpuModel'), i.cpu.modelName],
      ['cores', t('cpu'), t('cores', { n: i.cpu.cores })],
      ['memoryTotal', t('memoryTotal'), bytes(i.memory.total)],
      ['uptime', t('uptime'), duration(i.system.uptime)],
      ['interface', t('interface'), i.network.interfaceName],
      ['totalReceived', t('totalReceived'), bytes(i.network.bytesRecv)],
      ['totalSent', t('totalSent'), bytes(i.network.bytesSent)],
      ['ip', t('ip'), i.ip || '–'],
      ['serverId', t('serverId'), i.serverId],
      ['group', t('group'), i.group || '–'],
      ['location', t('location'), i.location || (i.countryCode ? countryName(i.countryCode) : '–')],
      [
        'reportedAt',
        t('reportedAt'),
        `${new Date(i.timestamp * 1000).toLocaleDateString()} ${clock(i.timestamp, true)}`,
      ],
    ];
  };
  return (
    <dl class="facts">
      <Index each={rows()}>
        {(row) => (
          <div class="fact" data-fact={row()[0]}>
            <dt>{row()[1]}</dt>
            <dd title={row()[2]}>{row()[2] || '–'}</dd>
          </div>
        )}
      </Index>
    </dl>
  );
}
