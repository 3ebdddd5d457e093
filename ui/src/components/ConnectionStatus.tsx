// The state of the live connection: "Live", "Connecting…" or "Reconnecting in N s" with a retry button, plus a
// banner while the figures on screen are no longer live.

import { Match, Show, Switch } from 'solid-js';
import { now } from '../clock';
import { connectionState, lostAt, retryNow, tokenRefusal } from '../connection';
import { ago, t } from '../i18n';

export function ConnectionStatus() {
  const state = connectionState;
  const phase = () => state().phase;
  const secondsLeft = () => {
    const s = state();
    return s.phase === 'waiting' ? Math.max(1, Math.ceil(s.retryAt / 1000 - now())) : 0;
  };
  return (
    <div class="conn" data-state={phase()} role="status" aria-live="polite">
      <span class="dot" />
      <Switch>
        <Match when={phase() === 'open'}>{t('connected')}</Match>
        <Match when={phase() === 'connecting'}>{t('connecting')}</Match>
        <Match when={phase() === 'waiting'}>{t('reconnecting', { s: secondsLeft() })}</Match>
        <Match when={phase() === 'refused'}>{t('refused')}</Match>
      </Switch>
    </div>
  );
}

export function ConnectionBanner() {
  return (
    <Show when={tokenRefusal()} fallback={<LostBanner />}>
      {(refusal) => (
        <div class="banner" role="alert" data-reason={refusal() === 'rejected' ? 'token-rejected' : 'token'}>
          {refusal() === 'rejected' ? t('tokenRejected') : t('tokenRequired')}
        </div>
      )}
    </Show>
  );
}

function LostBanner() {
  return (
    <Show when={connectionState().phase !== 'open' && lostAt()}>
      {(since) => (
        <div class="banner" role="alert">
          <span>{t('disconnectedBanner', { ago: ago(since() / 1000, now()) })}</span>
          <Show when={connectionState().phase === 'waiting'}>
            <button type="button" class="link-button" onClick={retryNow}>
              {t('retryNow')}
            </button>
          </Show>
        </div>
      )}
    </Show>
  );
}
