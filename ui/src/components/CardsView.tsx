// Cards grouped by `group` (or by a Node's zone or roles), each group collapsible; servers without the attribute
// come last.

import { createMemo, For, Show } from 'solid-js';
import { t } from '../i18n';
import { isCollapsed, listing, toggleGroup } from '../list';
import type { ServerEntry } from '../store';
import { groupOf, NO_GROUP_LABELS, orderGroups } from '../view';
import { Chevron } from './Icons';
import { ServerCard } from './ServerCard';

export function CardsView() {
  const groups = createMemo(() => {
    const by = listing.grouping();
    const byGroup = new Map<string, ServerEntry[]>();
    for (const entry of listing.shown()) {
      const group = groupOf(entry.meta(), by);
      const list = byGroup.get(group);
      if (list) list.push(entry);
      else byGroup.set(group, [entry]);
    }
    return byGroup;
  });
  const names = createMemo(() => orderGroups(groups().keys()));
  // No server has the attribute: a lone "Ungrouped" heading would say nothing.
  const headed = () => names().length > 1 || names()[0] !== '';

  return (
    <div class="groups" data-group-by={listing.grouping()}>
      <For each={names()}>
        {(group) => {
          const entries = () => groups().get(group) ?? [];
          const online = () => entries().filter((e) => e.meta().state === 'online').length;
          const open = () => !headed() || !isCollapsed(listing.grouping(), group);
          const bodyId = `group-${encodeURIComponent(group)}`;
          return (
            <section class="group" data-group={group}>
              <Show when={headed()}>
                <h2 class="group-head">
                  <button
                    type="button"
                    class="group-toggle"
                    aria-expanded={open()}
                    aria-controls={bodyId}
                    title={open() ? t('collapse') : t('expand')}
                    onClick={() => toggleGroup(listing.grouping(), group)}
                  >
                    <Chevron class="chevron" />
                    <span class="group-name">{group || t(NO_GROUP_LABELS[listing.grouping()])}</span>
                    <span class="group-count">
                      {online()}/{entries().length}
                    </span>
                  </button>
                </h2>
              </Show>
              <Show when={open()}>
                <div class="cards" id={bodyId}>
                  <For each={entries()}>{(entry) => <ServerCard entry={entry} />}</For>
                </div>
              </Show>
            </section>
          );
        }}
      </For>
    </div>
  );
}
