// The /ws-frontend connection: opens it, feeds every message to the store, and when it drops, reconnects by
// itself with exponential backoff and jitter (no page reload). The page never sends anything on it.

import { type BackoffPolicy, backoffDelay, type FrontendServerInfo } from '@sss/protocol';
import { createSignal } from 'solid-js';
import { ApiError, fetchServers, frontendSocketUrl, hasToken } from './api';
import { keepOnly, newGeneration, receive } from './store';

/** Quicker than the agents' schedule (a person is waiting), still backing off: 1 s, 1.5 s, 2.25 s ... 30 s. */
export const FRONTEND_BACKOFF: BackoffPolicy = { initialMs: 1_000, factor: 1.5, maxMs: 30_000, jitter: 0.2 };

export type ConnectionState =
  | { phase: 'connecting'; attempt: number }
  | { phase: 'open' }
  | { phase: 'waiting'; attempt: number; retryAt: number }
  /** The dashboard wants a token this page lacks, or refused its token: retrying cannot help. */
  | { phase: 'refused' };

const [state, setState] = createSignal<ConnectionState>({ phase: 'connecting', attempt: 0 });
/** When the last open connection dropped (ms since epoch), for "the figures are from ... ago". */
const [lostAt, setLostAt] = createSignal<number | undefined>(undefined);

/** Why the dashboard refused us: no ?token= where SSS_FRONTEND_TOKEN is set, or a wrong one. */
const [tokenRefusal, setTokenRefusal] = createSignal<'missing' | 'rejected' | undefined>(undefined);

export { lostAt, state as connectionState, tokenRefusal };

let attempt = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

export function connect(): void {
  clearTimeout(retryTimer);
  setState({ phase: 'connecting', attempt });
  const ws = new WebSocket(frontendSocketUrl());
  let wasOpen = false;

  ws.onopen = () => {
    wasOpen = true;
    attempt = 0;
    newGeneration();
    setState({ phase: 'open' });
    setLostAt(undefined);
    setTokenRefusal(undefined);
    // Servers the dashboard forgot while we were away get no `removed` message: ask for the full list.
    fetchServers()
      .then((list) => keepOnly(new Set(list.map((s) => s.serverId))))
      .catch(() => {}); // the live messages still arrive; nothing to drop is the safe side
  };

  ws.onmessage = (event: MessageEvent) => {
    if (typeof event.data !== 'string') return;
    let info: FrontendServerInfo;
    try {
      info = JSON.parse(event.data) as FrontendServerInfo;
    } catch {
      console.warn('ignoring a /ws-frontend message that is not JSON');
      return;
    }
    if (typeof info?.serverId === 'string') receive(info);
  };

  ws.onclose = () => {
    if (wasOpen) setLostAt(Date.now());
    // A browser is not told why an upgrade failed; the REST API answers the same token check with a status. A 401
    // stops the retries: the token in the address will not change until the page is opened with another.
    else {
      fetchServers().then(
        () => setTokenRefusal(undefined),
        (err: unknown) => {
          if (!(err instanceof ApiError && err.status === 401)) return;
          clearTimeout(retryTimer);
          setTokenRefusal(hasToken ? 'rejected' : 'missing');
          setState({ phase: 'refused' });
        },
      );
    }
    const delay = backoffDelay(attempt, FRONTEND_BACKOFF);
    attempt += 1;
    setState({ phase: 'waiting', attempt, retryAt: Date.now() + delay });
    retryTimer = setTimeout(connect, delay);
  };
}

/** Skips the rest of the backoff wait (the "retry now" button, the browser coming back online). */
export function retryNow(): void {
  if (state().phase === 'waiting') connect();
}

addEventListener('online', retryNow);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') retryNow();
});
