import { type Hub, type HubObserver, validReportOfView } from '../hub/hub';
import type { HistoryStore } from './store';

/**
 * Feeds the store with what the hub applies: points and states of reports, offline changes, removals, and servers
 * listed from another replica's state (so a restart lists them even while Redis is away).
 */
export function storeObserver(store: HistoryStore): HubObserver {
  return {
    reported: (state, t, point, first) => {
      store.record(state.id, t, point);
      store.saveState(state, first);
    },
    wentOffline: (state) => store.saveState(state, true),
    adopted: (state) => store.saveState(state, true),
    removed: (id) => store.remove(id),
  };
}

/**
 * Lists every server the store knew, offline; returns how many. A state that does not parse or fails the report's
 * validation is skipped and passed to `skipped` with why.
 */
export function restoreServers(
  store: HistoryStore,
  hub: Hub,
  skipped: (id: string, why: string) => void = () => {},
): number {
  const decoder = new TextDecoder();
  let restored = 0;
  for (const saved of store.loadStates()) {
    let view: unknown;
    try {
      view = JSON.parse(decoder.decode(saved.message));
    } catch {
      skipped(saved.id, 'not JSON');
      continue;
    }
    const checked = validReportOfView(view);
    if (!checked.ok) {
      skipped(saved.id, `${checked.field} ${checked.message}`);
      continue;
    }
    if (checked.value.serverId !== saved.id) {
      skipped(saved.id, 'serverId differs');
      continue;
    }
    hub.restore(checked.value, saved.lastSeen);
    restored++;
  }
  return restored;
}
