// Hash routing (#/, #/server/<id> and #/alerts): the page itself stays at one address, which keeps relative asset and
// API URLs right behind any path prefix.

import { createSignal } from 'solid-js';

export type Route = { page: 'list' } | { page: 'server'; id: string } | { page: 'alerts' };

/** The alert list's address. */
export const ALERTS_HREF = '#/alerts';

function parse(hash: string): Route {
  if (hash === ALERTS_HREF) return { page: 'alerts' };
  const match = /^#\/server\/(.+)$/.exec(hash);
  if (match?.[1]) {
    try {
      return { page: 'server', id: decodeURIComponent(match[1]) };
    } catch {
      // malformed escape: fall through to the list
    }
  }
  return { page: 'list' };
}

const [route, setRoute] = createSignal<Route>(parse(location.hash));
addEventListener('hashchange', () => setRoute(parse(location.hash)));

export { route };

/** The server whose details are open, if any. */
export function detailsId(): string | undefined {
  const r = route();
  return r.page === 'server' ? r.id : undefined;
}

// A new page starts at the top.
addEventListener('hashchange', () => scrollTo(0, 0));

export function serverHref(id: string): string {
  return `#/server/${encodeURIComponent(id)}`;
}
