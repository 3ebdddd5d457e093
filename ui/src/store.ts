// Every server the dashboard told us about. Each server has its own signal, so a report re-renders only that
// server's card or row; the list itself changes only when a server appears or goes, and what the list is
// filtered, grouped and ordered by (name, group, status, a Node's zone and roles: ServerMeta) has a signal of its
// own that changes only when those do. Messages are applied once per animation frame in one batch.

import { type FrontendServerInfo, historyPointOf } from '@sss/protocol';
import { type Accessor, batch, createSignal, type Setter } from 'solid-js';
import { alertsKey } from './alerts';
import { fetchHistory } from './api';
import { append, type Columns, emptyColumns, prependHistory } from './series';
import { metaOf, type ServerMeta, sameMeta } from './view';

/** Points kept per server for the card sparklines: 5 minutes at the default 5 s interval. */
export const SPARK_POINTS = 60;

export interface ServerEntry {
  readonly id: string;
  readonly info: Accessor<FrontendServerInfo>;
  readonly setInfo: Setter<FrontendServerInfo>;
  readonly meta: Accessor<ServerMeta>;
  readonly setMeta: Setter<ServerMeta>;
  /** Recent points for the sparkline; `sparkVersion` changes whenever they do. */
  readonly spark: Columns;
  readonly sparkVersion: Accessor<number>;
  readonly bumpSpark: () => void;
  /** Connection generation of the last message, to tell servers the dashboard forgot while we were away. */
  generation: number;
  backfill: 'no' | 'queued' | 'done';
}

const [servers, setServers] = createSignal<readonly ServerEntry[]>([]);
/** Changes whenever some server's firing alerts do (the alert list and the toolbar's count follow it). */
const [alertsVersion, setAlertsVersion] = createSignal(0);

export { alertsVersion, servers };

const byId = new Map<string, ServerEntry>();
const pending = new Map<string, FrontendServerInfo>();
const sparkChanged = new Set<ServerEntry>();
let generation = 0;
let scheduled = false;

/** Called for every /ws-frontend message. */
export function receive(info: FrontendServerInfo): void {
  const entry = byId.get(info.serverId);
  if (entry && !info.removed && append(entry.spark, info.lastSeen, historyPointOf(info), SPARK_POINTS)) {
    sparkChanged.add(entry);
  }
  if (entry) entry.generation = generation;
  pending.set(info.serverId, info);
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(flush);
  }
}

function flush(): void {
  scheduled = false;
  const added: ServerEntry[] = [];
  let removed = false;
  let alertsChanged = false;
  batch(() => {
    for (const info of pending.values()) {
      const entry = byId.get(info.serverId);
      if (info.removed) {
        if (entry) {
          byId.delete(info.serverId);
          removed = true;
        }
      } else if (entry) {
        if (alertsKey(entry.info()) !== alertsKey(info)) alertsChanged = true;
        entry.setInfo(info);
        const meta = metaOf(info);
        if (!sameMeta(entry.meta(), meta)) entry.setMeta(meta);
      } else {
        if (info.alerts) alertsChanged = true;
        const fresh = createEntry(info);
        byId.set(info.serverId, fresh);
        added.push(fresh);
      }
    }
    pending.clear();
    for (const entry of sparkChanged) entry.bumpSpark();
    sparkChanged.clear();
    if (added.length > 0 || removed) {
      setServers((list) => [...list.filter((e) => byId.get(e.id) === e), ...added]);
    }
    if (alertsChanged) setAlertsVersion((v) => v + 1);
  });
}

function createEntry(info: FrontendServerInfo): ServerEntry {
  const [get, set] = createSignal(info);
  const [meta, setMeta] = createSignal(metaOf(info));
  const [sparkVersion, setSparkVersion] = createSignal(0);
  const spark = emptyColumns();
  append(spark, info.lastSeen, historyPointOf(info), SPARK_POINTS);
  return {
    id: info.serverId,
    info: get,
    setInfo: set,
    meta,
    setMeta,
    spark,
    sparkVersion,
    bumpSpark: () => setSparkVersion((v) => v + 1),
    generation,
    backfill: 'no',
  };
}

/** A new /ws-frontend connection opened: what it sends from now on belongs to a new generation. */
export function newGeneration(): void {
  generation += 1;
}

/**
 * After a reconnect: drop the servers the dashboard no longer knows (it forgot them while we were away, so no
 * `removed` message reached us), keeping any that reported on the new connection meanwhile.
 */
export function keepOnly(known: ReadonlySet<string>): void {
  let changed = false;
  for (const [id, entry] of byId) {
    if (!known.has(id) && entry.generation < generation && !pending.has(id)) {
      byId.delete(id);
      changed = true;
    }
  }
  if (changed) setServers((list) => list.filter((e) => byId.get(e.id) === e));
}

// Sparkline back-fill: one history request per server, only once its card is on screen, a few at a time.
const backfillQueue: ServerEntry[] = [];
let backfillsRunning = 0;
const MAX_BACKFILLS = 4;

export function requestBackfill(entry: ServerEntry): void {
  if (entry.backfill !== 'no') return;
  entry.backfill = 'queued';
  backfillQueue.push(entry);
  pumpBackfills();
}

function pumpBackfills(): void {
  while (backfillsRunning < MAX_BACKFILLS && backfillQueue.length > 0) {
    const entry = backfillQueue.shift() as ServerEntry;
    if (byId.get(entry.id) !== entry) continue;
    backfillsRunning += 1;
    fetchHistory(entry.id, SPARK_POINTS)
      .then((history) => {
        prependHistory(entry.spark, history, SPARK_POINTS);
        entry.bumpSpark();
        entry.backfill = 'done';
      })
      .catch(() => {
        // The sparkline still fills from live reports; try again when the card next comes into view.
        entry.backfill = 'no';
      })
      .finally(() => {
        backfillsRunning -= 1;
        pumpBackfills();
      });
  }
}
