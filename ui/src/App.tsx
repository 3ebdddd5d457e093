// The page: top bar, then either the server list (summary, toolbar, cards or table) or one server's details.

import { createEffect, Match, Show, Switch } from 'solid-js';
import { AlertsView } from './components/AlertsView';
import { CardsView } from './components/CardsView';
import { ConnectionBanner } from './components/ConnectionStatus';
import { DetailsView } from './components/DetailsView';
import { Header } from './components/Header';
import { Summary } from './components/Summary';
import { TableView } from './components/TableView';
import { Toolbar } from './components/Toolbar';
import { connectionState, lostAt } from './connection';
import { t } from './i18n';
import { listing, query, statusFilter, viewMode } from './list';
import { detailsId, route } from './route';
import type { StatusFilter } from './view';

/** What an empty list says when the status filter leaves no server. */
function noneWithStatus(filter: StatusFilter): string {
  if (filter === 'missing') return t('noneMissing');
  if (filter === 'notReady') return t('noneNotReady');
  return t('noneWithStatus', { status: t(filter).toLowerCase() });
}

function ServerList() {
  return (
    <>
      <Summary />
      <Toolbar />
      <Show
        when={listing.shown().length > 0}
        fallback={
          <p class="empty">
            {listing.counts().total > 0
              ? query()
                ? t('noMatch', { q: query() })
                : noneWithStatus(statusFilter())
              : connectionState().phase === 'open'
                ? t('noServers')
                : connectionState().phase === 'refused'
                  ? t('refused')
                  : t('connecting')}
          </p>
        }
      >
        <Show when={viewMode() === 'table'} fallback={<CardsView />}>
          <TableView />
        </Show>
      </Show>
    </>
  );
}

export function App() {
  // The tab says how many servers are up, so a pinned tab is a status light of its own.
  createEffect(() => {
    const { online, total } = listing.counts();
    document.title = total > 0 ? `${online}/${total} ${t('online')} · ${t('title')}` : t('title');
  });
  return (
    <>
      <Header />
      <ConnectionBanner />
      <main class="page" classList={{ stale: connectionState().phase !== 'open' && lostAt() !== undefined }}>
        <Switch fallback={<ServerList />}>
          <Match when={route().page === 'alerts'}>
            <AlertsView />
          </Match>
          <Match when={detailsId()} keyed>
            {(id) => <DetailsView id={id} />}
          </Match>
        </Switch>
      </main>
    </>
  );
}
