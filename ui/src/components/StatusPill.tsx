// A server's agent state as a coloured pill with its name: online, offline, or agent missing.

import { t } from '../i18n';
import { type AgentState, STATE_LABELS } from '../status';

export function StatusPill(props: { state: AgentState }) {
  return (
    <span class="status" data-status={props.state}>
      <span class="dot" />
      {t(STATE_LABELS[props.state])}
    </span>
  );
}
