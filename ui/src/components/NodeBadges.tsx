// A Kubernetes Node's status as kubectl says it: Ready, NotReady or Unknown, each active problem condition, and
// SchedulingDisabled when cordoned. Each badge has its text as well as its colour. Where room is short (a table
// row), the first `limit` show and a "+N" badge names the others.

import type { KubernetesNodeInfo } from '@sss/protocol';
import { For, Show } from 'solid-js';
import { t } from '../i18n';
import { BADGE_LABELS, badgeTone, type NodeBadge, nodeBadges } from '../node';

export function NodeBadges(props: { node: KubernetesNodeInfo; limit?: number }) {
  const all = () => nodeBadges(props.node);
  const shown = () => all().slice(0, props.limit);
  const hidden = () => all().slice(shown().length);
  const label = (badge: NodeBadge) => t(BADGE_LABELS[badge]);
  return (
    <ul class="badges" aria-label={t('nodeStatus')} data-badges={all().join(' ')}>
      <For each={shown()}>
        {(badge) => (
          <li
            class="badge"
            data-badge={badge}
            data-tone={badgeTone(badge)}
            title={badgeTone(badge) === 'down' ? (props.node.readyReason ?? badge) : badge}
          >
            {label(badge)}
          </li>
        )}
      </For>
      <Show when={hidden()[0]}>
        {(first) => (
          <li class="badge" data-tone={badgeTone(first())} title={hidden().map(label).join(', ')}>
            +{hidden().length}
          </li>
        )}
      </Show>
    </ul>
  );
}
