// One server as a card: status, flag, a Node's badges, bars, sparkline, speeds, uptime, last update (or, for a
// Node whose agent is missing, its capacity). The whole card links to the details view.

import type { FrontendServerInfo } from '@sss/protocol';
import { onCleanup, onMount, Show } from 'solid-js';
import { now } from '../clock';
import { bytes, count, load, percent, speed, swapPercent } from '../format';
import { ago, duration, t } from '../i18n';
import { serverHref } from '../route';
import { agentState, neverReported } from '../status';
import { requestBackfill, type ServerEntry, SPARK_POINTS } from '../store';
import { diskUsage } from '../view';
import { AlertBadges } from './AlertBadges';
import { Flag } from './Flag';
import { ArrowDown, ArrowUp, Clock, HardDrive } from './Icons';
import { Meter } from './Meter';
import { MissingAgent } from './MissingAgent';
import { NodeBadges } from './NodeBadges';
import { Sparkline } from './Sparkline';
import { StatusPill } from './StatusPill';
import { whenVisible } from './visible';

function subtitle(info: FrontendServerInfo): string {
  const parts = [info.location, info.system.platform && `${info.system.platform} ${info.system.arch}`.trim()];
  return parts.filter(Boolean).join(' · ');
}

export function ServerCard(props: { entry: ServerEntry }) {
  let element!: HTMLElement;
  const info = () => props.entry.info();
  const state = () => agentState(info());

  onMount(() => onCleanup(whenVisible(element, () => requestBackfill(props.entry))));

  return (
    <article
      ref={element}
      class="card"
      classList={{ offline: state() !== 'online' }}
      data-server-id={props.entry.id}
      aria-label={info().serverName}
    >
      <header class="card-head">
        <Flag code={info().countryCode} />
        <a class="card-name stretched" href={serverHref(props.entry.id)} title={info().serverName}>
          {info().serverName || props.entry.id}
        </a>
        <StatusPill state={state()} />
      </header>
      <p class="card-sub" title={subtitle(info())}>
        {subtitle(info()) || props.entry.id}
      </p>
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
        <Measurements entry={props.entry} />
      </Show>

      <footer class="card-foot">
        <Show when={state() !== 'missing'}>
          <span title={t('uptime')}>
            <Clock /> {duration(info().system.uptime)}
          </span>
        </Show>
        <span class="last-seen">
          {neverReported(info())
            ? t('neverReported')
            : state() === 'online'
              ? ago(info().lastSeen, now())
              : `${t('lastSeen')} ${ago(info().lastSeen, now())}`}
        </span>
      </footer>
    </article>
  );
}

/** The bars, sparkline and speeds of a server whose agent reports (or did until it went offline). */
function Measurements(props: { entry: ServerEntry }) {
  const info = () => props.entry.info();
  const disk = () => diskUsage(info());
  const io = () => {
    let read = 0;
    let write = 0;
    for (const d of info().disk) {
      read += d.readSpeed;
      write += d.writeSpeed;
    }
    return { read, write };
  };
  const sparkSpan = () => {
    void props.entry.sparkVersion();
    const t0 = props.entry.spark.t[0];
    const t1 = props.entry.spark.t[props.entry.spark.t.length - 1];
    return t0 !== undefined && t1 !== undefined ? t1 - t0 : 0;
  };

  return (
    <>
      <div class="meters">
        <Meter
          field="cpu"
          label={t('cpu')}
          value={info().cpu.percent}
          detail={t('cores', { n: count(info().cpu.cores) })}
        />
        <Meter
          field="memory"
          label={t('memory')}
          value={info().memory.usedPercent}
          detail={`${bytes(info().memory.used)} / ${bytes(info().memory.total)}`}
        />
        <Meter
          field="disk"
          label={t('disk')}
          value={disk().percent}
          detail={`${bytes(disk().used)} / ${bytes(disk().size)}`}
        />
      </div>

      <Show when={info().cpu.load1 !== undefined || info().memory.swapTotal !== undefined}>
        <dl class="card-extra">
          <Show when={info().cpu.load1 !== undefined}>
            <div
              data-field="load"
              title={`${t('loadAverage')}: ${t('load1')} / ${t('load5')} / ${t('load15')}`}
            >
              <dt>{t('load')}</dt>
              <dd>
                {load(info().cpu.load1)} <span class="sep">·</span> {load(info().cpu.load5)}{' '}
                <span class="sep">·</span> {load(info().cpu.load15)}
              </dd>
            </div>
          </Show>
          <Show when={info().memory.swapTotal !== undefined}>
            <div data-field="swap" title={t('swap')}>
              <dt>{t('swap')}</dt>
              <dd>
                <Show when={swapPercent(info().memory) !== undefined} fallback={t('noSwap')}>
                  {percent(swapPercent(info().memory) ?? 0)}{' '}
                  <span class="muted">
                    {bytes(info().memory.swapUsed ?? 0)} / {bytes(info().memory.swapTotal ?? 0)}
                  </span>
                </Show>
              </dd>
            </div>
          </Show>
        </dl>
      </Show>

      <Sparkline
        columns={props.entry.spark}
        version={props.entry.sparkVersion()}
        capacity={SPARK_POINTS}
        cpuLabel={t('cpu')}
        memoryLabel={t('memShort')}
        label={`${t('cpu')} / ${t('memory')}: ${t('history', { n: duration(sparkSpan()) })}`}
      />

      <dl class="rates">
        <div class="rate net-in" title={t('networkIn')}>
          <dt>
            <ArrowDown />
          </dt>
          <dd data-field="netIn">{speed(info().network.inSpeed)}</dd>
        </div>
        <div class="rate net-out" title={t('networkOut')}>
          <dt>
            <ArrowUp />
          </dt>
          <dd data-field="netOut">{speed(info().network.outSpeed)}</dd>
        </div>
        <div class="rate disk-io" title={`${t('diskIO')}: ${t('read')} / ${t('write')}`}>
          <dt>
            <HardDrive />
          </dt>
          <dd>
            {speed(io().read)} <span class="sep">/</span> {speed(io().write)}
          </dd>
        </div>
      </dl>
    </>
  );
}
