// Cards grouped by `group`, each group collapsible; servers without a group come last.

import { createMemo, For, Show } from 'solid-js';
import { t } from '../i18n';
import { isCollapsed, listing, toggleGroup } from '../list';
import type { ServerEntry } from '../store';
import { isOnline, orderGroups } from '../view';
import { Chevron } from './Icons';
import { ServerCard } from './ServerCard';

export function CardsView() {
  const groups = createMemo(() => {
    const byGroup = new Map<string, ServerEntry[]>();
    for (const entry of listing.shown()) {
      const group = entry.meta().group ?? '';
      const list = byGroup.get(group);
      if (list) list.push(entry);
      else byGroup.set(group, [entry]);
    }
    return byGroup;
  });
  const names = createMemo(() => orderGroups(groups().keys()));
  // No servers have a group: a lone "Ungrouped" heading would say nothing.
  const headed = () => names().length > 1 || names()[0] !== '';

  return (
    <div class="groups">
      <For each={names()}>
        {(group) => {
          const entries = () => groups().get(group) ?? [];
          const online = () => entries().filter((e) => isOnline(e.meta())).length;
          const open = () => !headed() || !isCollapsed(group);
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
                    onClick={() => toggleGroup(group)}
                  >
                    <Chevron class="chevron" />
                    <span class="group-name">{group || t('ungrouped')}</span>
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
