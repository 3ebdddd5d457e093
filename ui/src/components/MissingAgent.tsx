// In place of the bars of a Node whose agent does not report: says so (never reported, or stopped) and shows
// what the Node offers, rather than zeros that look like measurements.

import type { FrontendServerInfo } from '@sss/protocol';
import { Show } from 'solid-js';
import { bytes } from '../format';
import { t } from '../i18n';
import { capacityOf } from '../node';
import { neverReported } from '../status';

export function MissingAgent(props: { info: FrontendServerInfo }) {
  const capacity = () => capacityOf(props.info);
  return (
    <div class="missing-agent" data-missing={neverReported(props.info) ? 'never' : 'stopped'}>
      <p class="missing-note">{neverReported(props.info) ? t('agentNeverReported') : t('agentStopped')}</p>
      <dl class="capacity" aria-label={t('nodeCapacity')} title={t('nodeCapacity')}>
        <div data-capacity="cpu">
          <dt>{t('cpu')}</dt>
          <dd>{t('cores', { n: capacity().cpu })}</dd>
        </div>
        <div data-capacity="memory">
          <dt>{t('memory')}</dt>
          <dd>{bytes(capacity().memory)}</dd>
        </div>
        <Show when={capacity().pods !== undefined}>
          <div data-capacity="pods">
            <dt>{t('pods')}</dt>
            <dd>{capacity().pods}</dd>
          </div>
        </Show>
      </dl>
    </div>
  );
}
