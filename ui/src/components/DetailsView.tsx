// One server in full: live figures, history charts, every filesystem, the Kubernetes Node's facts and the system
// facts. A Node whose agent never reported has no figures to show: its capacity and Node facts stand alone.

import {
  type FrontendServerInfo,
  HISTORY_RANGE_SECONDS,
  HISTORY_RANGES,
  HISTORY_SERIES,
  type HistoryRange,
  type HistorySeries,
  type HistoryTier,
  historyPointOf,
  MAX_LOAD,
} from '@sss/protocol';
import {
  createEffect,
  createMemo,
  createResource,
  createSignal,
  For,
  Index,
  on,
  onCleanup,
  Show,
} from 'solid-js';
import { ApiError, fetchHistoryRange, fetchServer } from '../api';
import { now } from '../clock';
import { bytes, celsius, count, dateTime, heat, load, percent, speed, swapPercent } from '../format';
import { ago, duration, t } from '../i18n';
import type { MessageKey } from '../messages';
import { append, type Columns, emptyColumns, prependHistory } from '../series';
import { agentState, neverReported } from '../status';
import { type ServerEntry, servers } from '../store';
import { diskUsage } from '../view';
import { AlertBadges } from './AlertBadges';
import { type Fact, Facts } from './Facts';
import { countryName, Flag } from './Flag';
import { ArrowDown, ArrowLeft, ArrowUp } from './Icons';
import { type ChartSeries, LineChart } from './LineChart';
import { Meter } from './Meter';
import { MissingAgent } from './MissingAgent';
import { NodeBadges } from './NodeBadges';
import { NodeFacts } from './NodeFacts';
import { RemoveServer } from './RemoveServer';
import { StatusPill } from './StatusPill';

const RANGE_LABELS: Record<HistoryRange, MessageKey> = {
  '1h': 'range1h',
  '6h': 'range6h',
  '24h': 'range24h',
  '7d': 'range7d',
  '30d': 'range30d',
};

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

  // Charts: the history of the chosen range, one request per choice (the previous one is cancelled). The last
  // hour goes on with every live report while the page is open; longer ranges (and the last hour of a dashboard
  // restarted less than an hour ago) come from the stored rollups, each point's maximum beside its average.
  const [range, setRange] = createSignal<HistoryRange>('1h');
  // The charts hold on to these arrays: they are emptied and refilled in place, never replaced.
  const cols = emptyColumns();
  const peaks = emptyColumns();
  const [hasPeaks, setHasPeaks] = createSignal(false);
  const clear = (c: Columns) => {
    for (const column of Object.values(c)) column.length = 0;
  };
  const [version, setVersion] = createSignal(0);
  const [answer, setAnswer] = createSignal<{ tier: HistoryTier; step: number; from: number; to: number }>();
  const [historyError, setHistoryError] = createSignal<string | undefined>();
  let abort: AbortController | undefined;
  onCleanup(() => abort?.abort());
  createEffect(
    on(range, (r) => {
      abort?.abort();
      const controller = new AbortController();
      abort = controller;
      clear(cols);
      clear(peaks);
      setHasPeaks(false);
      setAnswer(undefined);
      setHistoryError(undefined);
      setVersion((v) => v + 1);
      fetchHistoryRange(props.entry.id, r, controller.signal)
        .then((history) => {
          if (controller.signal.aborted) return;
          // A rollup answer's maxima sit beside its own points, so it starts afresh; live reports that arrived
          // meanwhile stay after the raw ring's points.
          if (history.max) clear(cols);
          prependHistory(cols, history, Number.POSITIVE_INFINITY);
          if (history.max) {
            peaks.t.push(...history.t);
            for (const key of HISTORY_SERIES) (peaks[key] as unknown[]).push(...history.max[key]);
          }
          setHasPeaks(history.max !== undefined);
          const to = history.to ?? history.t[history.t.length - 1] ?? now();
          setAnswer({
            tier: history.tier ?? 'raw',
            step: history.step ?? history.interval,
            from: history.from ?? to - HISTORY_RANGE_SECONDS[r],
            to,
          });
          setVersion((v) => v + 1);
        })
        .catch((err: unknown) => {
          if (!controller.signal.aborted) setHistoryError(err instanceof Error ? err.message : String(err));
        });
    }),
  );
  createEffect(
    on(info, (i) => {
      if (range() !== '1h') return;
      const from = i.lastSeen - HISTORY_RANGE_SECONDS['1h'];
      if (!append(cols, i.lastSeen, historyPointOf(i), Number.POSITIVE_INFINITY)) return;
      let old = 0;
      while ((cols.t[old] ?? Number.POSITIVE_INFINITY) < from) old += 1;
      // The window slides: points older than the hour leave on the left (with their maxima, if any).
      if (old > 0)
        for (const column of [...Object.values(cols), ...Object.values(peaks)]) column.splice(0, old);
      setVersion((v) => v + 1);
    }),
  );
  /** The x axis: the window asked for, sliding with the live tail on the last hour. */
  const window = () => {
    void version();
    const a = answer();
    const last = cols.t[cols.t.length - 1];
    const to = Math.max(a?.to ?? 0, last ?? 0) || Date.now() / 1000;
    const from = range() === '1h' || !a ? to - HISTORY_RANGE_SECONDS[range()] : a.from;
    return { from, to };
  };
  // A line breaks where points are further apart than twice the step (rollups) or where the server was offline
  // (three report intervals without a report, on the raw ring).
  const gap = () => {
    const a = answer();
    return a ? (a.tier === 'raw' ? 3 : 2) * a.step : Number.POSITIVE_INFINITY;
  };
  const points = () => {
    void version();
    return cols.t.length;
  };
  const pct = (v: number) => percent(v);
  const max = (key: HistorySeries) => (hasPeaks() ? peaks[key] : undefined);

  // A scale of whole numbers that holds the data and the cores (a load equal to the cores is a full machine), up
  // to the largest load a report may carry (a report may claim any number of cores).
  const loadTop = () => {
    void version();
    let top = Math.max(1, Math.min(info().cpu.cores, MAX_LOAD));
    for (const v of cols.load) if (v !== null) top = Math.max(top, v);
    for (const v of peaks.load) if (v !== null) top = Math.max(top, v);
    return Math.ceil(top);
  };

  /** A chart of the history panel: its times, gaps, version and window, with the chart's own series and scale. */
  const HistoryChart = (chart: {
    title: string;
    series: ChartSeries[];
    max?: number;
    format: (v: number) => string;
  }) => (
    <LineChart
      title={chart.title}
      t={cols.t}
      series={chart.series}
      max={chart.max}
      format={chart.format}
      gap={gap()}
      version={version()}
      from={window().from}
      to={window().to}
    />
  );

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
        <Show when={state() === 'offline' && !info().kubernetes}>
          <RemoveServer id={props.entry.id} />
        </Show>
        <Show when={info().kubernetes}>{(node) => <NodeBadges node={node()} />}</Show>
        <Show when={info().alerts}>
          {(alerts) => (
            <AlertBadges
              alerts={alerts()}
              server={{ id: info().serverId, name: info().serverName || info().serverId }}
            />
          )}
        </Show>
        <Show when={state() !== 'missing'} fallback={<MissingAgent info={info()} />}>
          <div class="details-meters" classList={{ 'has-swap': swapPercent(info().memory) !== undefined }}>
            <Meter
              label={t('cpu')}
              value={info().cpu.percent}
              detail={t('cores', { n: count(info().cpu.cores) })}
            />
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
            <Show when={swapPercent(info().memory) !== undefined}>
              <Meter
                field="swap"
                label={t('swap')}
                value={swapPercent(info().memory) ?? 0}
                detail={`${bytes(info().memory.swapUsed ?? 0)} / ${bytes(info().memory.swapTotal ?? 0)}`}
              />
            </Show>
            <div class="details-rates">
              <Show when={info().cpu.load1 !== undefined}>
                <span data-field="load" title={`${t('load1')} / ${t('load5')} / ${t('load15')}`}>
                  {t('loadAverage')} {load(info().cpu.load1)} · {load(info().cpu.load5)} ·{' '}
                  {load(info().cpu.load15)}
                </span>
              </Show>
              <Show when={info().memory.swapTotal === 0}>
                <span data-field="swap">
                  {t('swap')}: {t('noSwap')}
                </span>
              </Show>
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
          <div class="panel-head">
            <h2 class="panel-title">{t('charts')}</h2>
            <RangePicker value={range()} onChange={setRange} />
          </div>
          <Show when={historyError()}>
            <p class="muted">{t('historyUnavailable', { reason: historyError() ?? '' })}</p>
          </Show>
          <div class="charts" data-range={range()} data-tier={answer()?.tier} data-points={points()}>
            <HistoryChart
              title={t('cpuUsage')}
              series={[{ name: t('cpu'), tone: 'tone-cpu', values: cols.cpu, max: max('cpu') }]}
              max={100}
              format={pct}
            />
            <HistoryChart
              title={t('memoryUsage')}
              series={[{ name: t('memory'), tone: 'tone-mem', values: cols.memory, max: max('memory') }]}
              max={100}
              format={pct}
            />
            <HistoryChart
              title={t('networkSpeed')}
              series={[
                { name: t('networkIn'), tone: 'tone-in', values: cols.netIn, max: max('netIn') },
                { name: t('networkOut'), tone: 'tone-out', values: cols.netOut, max: max('netOut') },
              ]}
              format={speed}
            />
            <HistoryChart
              title={t('diskSpeed')}
              series={[
                { name: t('read'), tone: 'tone-read', values: cols.diskRead, max: max('diskRead') },
                { name: t('write'), tone: 'tone-write', values: cols.diskWrite, max: max('diskWrite') },
              ]}
              format={speed}
            />
            <Show when={info().cpu.load1 !== undefined}>
              <HistoryChart
                title={t('loadChart')}
                series={[{ name: t('load1'), tone: 'tone-cpu', values: cols.load, max: max('load') }]}
                max={loadTop()}
                format={load}
              />
            </Show>
          </div>
        </section>

        <Show when={info().cpu.perCore || info().cpu.modes}>
          <section class="panel" data-section="cpu">
            <h2 class="panel-title">{t('cpu')}</h2>
            <Show when={info().cpu.modes}>{(modes) => <CpuModes modes={modes()} />}</Show>
            <Show when={info().cpu.perCore}>
              {(cores) => (
                <>
                  <h3 class="panel-subtitle">{t('perCore')}</h3>
                  <div class="cores">
                    <Index each={cores()}>
                      {(p, i) => (
                        <div class="core" data-core={i}>
                          <span class="core-name">{i}</span>
                          <Meter compact label={`CPU ${i}`} value={p()} />
                        </div>
                      )}
                    </Index>
                  </div>
                </>
              )}
            </Show>
          </section>
        </Show>

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
                  <th class="num">{t('busy')}</th>
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
                      <td class="num">
                        {d().ioUtilPercent === undefined ? '–' : percent(d().ioUtilPercent ?? 0)}
                      </td>
                    </tr>
                  )}
                </Index>
              </tbody>
            </table>
          </div>
        </section>

        <Show when={info().network.interfaces}>
          {(list) => (
            <section class="panel" data-section="interfaces">
              <h2 class="panel-title">{t('interfaces')}</h2>
              <div class="table-wrap">
                <table class="interfaces">
                  <thead>
                    <tr>
                      <th>{t('interface')}</th>
                      <th class="num">{t('networkIn')}</th>
                      <th class="num">{t('networkOut')}</th>
                      <th class="num">{t('received')}</th>
                      <th class="num">{t('sent')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    <Index each={list()}>
                      {(i) => (
                        <tr data-interface={i().name}>
                          <td class="mono">
                            {i().name}
                            <Show when={i().name === info().network.interfaceName}>
                              <span class="tag">{t('defaultRoute')}</span>
                            </Show>
                          </td>
                          <td class="num net-in">{speed(i().inSpeed)}</td>
                          <td class="num net-out">{speed(i().outSpeed)}</td>
                          <td class="num">{bytes(i().bytesRecv)}</td>
                          <td class="num">{bytes(i().bytesSent)}</td>
                        </tr>
                      )}
                    </Index>
                  </tbody>
                </table>
              </div>
            </section>
          )}
        </Show>

        <Show when={(info().temperatures?.length ?? 0) > 0}>
          <section class="panel" data-section="temperatures">
            <h2 class="panel-title">{t('temperatures')}</h2>
            <div class="table-wrap">
              <table class="temperatures">
                <thead>
                  <tr>
                    <th>{t('sensor')}</th>
                    <th class="num">{t('temperature')}</th>
                    <th class="num">{t('critical')}</th>
                  </tr>
                </thead>
                <tbody>
                  <Index each={info().temperatures ?? []}>
                    {(s) => (
                      <tr data-sensor={s().sensor}>
                        <td>{s().sensor}</td>
                        <td class="num heat" data-level={heat(s().celsius, s().criticalCelsius)}>
                          {celsius(s().celsius)}
                        </td>
                        <td class="num muted">{celsius(s().criticalCelsius)}</td>
                      </tr>
                    )}
                  </Index>
                </tbody>
              </table>
            </div>
          </section>
        </Show>

        <Show when={info().connections || info().system.processes !== undefined}>
          <section class="panel" data-section="processes">
            <h2 class="panel-title">{t('processesConnections')}</h2>
            <Facts facts={processFacts(info())} />
          </section>
        </Show>
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

/** The span of the charts: a row of buttons, each a native button (Tab, Enter, Space), the chosen one pressed. */
function RangePicker(props: { value: HistoryRange; onChange: (range: HistoryRange) => void }) {
  return (
    <fieldset class="segmented range-picker">
      <legend class="sr-only">{t('historyRange')}</legend>
      <For each={HISTORY_RANGES}>
        {(r) => (
          <button
            type="button"
            data-range={r}
            aria-pressed={props.value === r}
            onClick={() => props.onChange(r)}
          >
            {t(RANGE_LABELS[r])}
          </button>
        )}
      </For>
    </fieldset>
  );
}

const MODES = ['user', 'nice', 'system', 'iowait', 'irq', 'softirq', 'steal'] as const;

/** One bar split by mode (idle is the rest), and each mode's share. */
function CpuModes(props: { modes: NonNullable<FrontendServerInfo['cpu']['modes']> }) {
  const idle = () => Math.max(0, 100 - MODES.reduce((sum, m) => sum + props.modes[m], 0));
  return (
    <>
      <h3 class="panel-subtitle">{t('cpuModes')}</h3>
      <div class="modes-bar" aria-hidden="true">
        <For each={MODES}>
          {(m) => <span class={`mode mode-${m}`} style={{ width: `${Math.min(100, props.modes[m])}%` }} />}
        </For>
      </div>
      <ul class="modes-legend">
        <For each={MODES}>
          {(m) => (
            <li data-mode={m}>
              <span class={`mode-dot mode-${m}`} />
              {m} <b>{percent(props.modes[m])}</b>
            </li>
          )}
        </For>
        <li data-mode="idle">
          <span class="mode-dot mode-idle" />
          {t('idle')} <b>{percent(idle())}</b>
        </li>
      </ul>
    </>
  );
}

function processFacts(i: FrontendServerInfo): Fact[] {
  const whole = (n: number | undefined) => (n === undefined ? '–' : count(n));
  const facts: Fact[] = [
    { key: 'processes', label: t('processes'), value: whole(i.system.processes) },
    { key: 'tcpSockets', label: t('tcpSockets'), value: whole(i.connections?.tcp) },
    { key: 'tcpEstablished', label: t('tcpEstablished'), value: whole(i.connections?.tcpEstablished) },
    { key: 'udpSockets', label: t('udpSockets'), value: whole(i.connections?.udp) },
  ];
  if (i.system.bootTime !== undefined) {
    facts.push({ key: 'bootTime', label: t('bootTime'), value: dateTime(i.system.bootTime) });
  }
  if (i.memory.cached !== undefined)
    facts.push({ key: 'cached', label: t('cached'), value: bytes(i.memory.cached) });
  return facts;
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
    { key: 'cores', label: t('cpu'), value: t('cores', { n: count(i.cpu.cores) }) },
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
