// One server in full: live figures, history charts, every filesystem, the Kubernetes Node's facts and the system
// facts. A Node whose agent never reported has no figures to show: its capacity and Node facts stand alone.

import { type FrontendServerInfo, historyPointOf } from '@sss/protocol';
import { createEffect, createMemo, createResource, createSignal, Index, on, onCleanup, Show } from 'solid-js';
import { ApiError, fetchHistory, fetchServer } from '../api';
import { now } from '../clock';
import { bytes, dateTime, percent, speed } from '../format';
import { ago, duration, t } from '../i18n';
import type { MessageKey } from '../messages';
import { append, emptyColumns, prependHistory } from '../series';
import { agentState, neverReported } from '../status';
import { type ServerEntry, servers } from '../store';
import { diskUsage } from '../view';
import { type Fact, Facts } from './Facts';
import { countryName, Flag } from './Flag';
import { ArrowDown, ArrowLeft, ArrowUp } from './Icons';
import { LineChart } from './LineChart';
import { Meter } from './Meter';
import { MissingAgent } from './MissingAgent';
import { NodeBadges } from './NodeBadges';
import { NodeFacts } from './NodeFacts';
import { StatusPill } from './StatusPill';

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
  const state = () => agentState(info());

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
          <StatusPill state={state()} />
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
            {neverReported(info())
              ? t('neverReported')
              : `${state() === 'online' ? t('lastUpdate') : t('lastSeen')} ${ago(info().lastSeen, now())}`}
          </span>
        </p>
        <Show when={info().kubernetes}>{(node) => <NodeBadges node={node()} />}</Show>
        <Show when={state() !== 'missing'} fallback={<MissingAgent info={info()} />}>
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
        </Show>
      </section>

      <Show when={!neverReported(info())}>
        <section class="panel" data-section="history">
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

        <section class="panel" data-section="filesystems">
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
      </Show>

      <Show when={info().kubernetes}>
        {(node) => (
          <section class="panel" data-section="kubernetes">
            <h2 class="panel-title">{t('kubernetes')}</h2>
            <NodeFacts node={node()} />
          </section>
        )}
      </Show>

      <Show when={!neverReported(info())}>
        <section class="panel" data-section="system">
          <h2 class="panel-title">{t('system')}</h2>
          <Facts facts={systemFacts(info())} />
        </section>
      </Show>
    </>
  );
}

function systemFacts(i: FrontendServerInfo): Fact[] {
  const fact = (key: MessageKey, value: string): Fact => ({ key, label: t(key), value });
  return [
    fact('hostname', i.system.hostname),
    fact('os', i.system.os),
    fact('platform', i.system.platform),
    fact('arch', i.system.arch),
    fact('kernel', i.system.kernel),
    fact('cpuModel', i.cpu.modelName),
    { key: 'cores', label: t('cpu'), value: t('cores', { n: i.cpu.cores }) },
    fact('memoryTotal', bytes(i.memory.total)),
    fact('uptime', duration(i.system.uptime)),
    fact('interface', i.network.interfaceName),
    fact('totalReceived', bytes(i.network.bytesRecv)),
    fact('totalSent', bytes(i.network.bytesSent)),
    fact('ip', i.ip || '–'),
    fact('serverId', i.serverId),
    fact('group', i.group || '–'),
    fact('location', i.location || (i.countryCode ? countryName(i.countryCode) : '–')),
    fact('reportedAt', dateTime(i.timestamp)),
  ];
}
