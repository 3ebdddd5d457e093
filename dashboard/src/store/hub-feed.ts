import type { FrontendServerInfo } from '@sss/protocol';
import type { Hub, HubObserver } from '../hub/hub';
import type { HistoryStore } from './store';

/** Feeds the store with what the hub applies: points and states of reports, offline changes, removals. */
export function storeObserver(store: HistoryStore): HubObserver {
  return {
    reported: (state, t, point, first) => {
      store.record(state.id, t, point);
      store.saveState(state, first);
    },
    wentOffline: (state) => store.saveState(state, true),
    removed: (id) => store.remove(id),
  };
}

/** Lists every server the store knew, offline; returns how many. A state that does not parse is skipped. */
export function restoreServers(store: HistoryStore, hub: Hub): number {
  const decoder = new TextDecoder();
  let restored = 0;
  for (const saved of store.loadStates()) {
    let view: FrontendServerInfo;
    try {
      view = JSON.parse(decoder.decode(saved.message)) as FrontendServerInfo;
    } catch {
      continue;
    }
    if (view?.serverId !== saved.id) continue;
    hub.restore(view, saved.lastSeen);
    restored++;
  }
  return restored;
}
