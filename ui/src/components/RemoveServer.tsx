// "Remove" on the details of an offline server: asks for the admin secret (the agents' shared secret, which the
// dashboard wants as X-AUTH-SECRET on DELETE /api/servers/:id) and shows the dashboard's refusal as it words it.
// Nothing is checked here first: an empty or wrong secret gets the dashboard's own answer.

import { createSignal, Show } from 'solid-js';
import { removeServer } from '../api';
import { t } from '../i18n';

export function RemoveServer(props: { id: string }) {
  const [asking, setAsking] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [refusal, setRefusal] = createSignal<string | undefined>(undefined);
  let secret: HTMLInputElement | undefined;

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setRefusal(undefined);
    try {
      await removeServer(props.id, secret?.value ?? '');
      // The dashboard tells every browser the server is gone; this one goes back to the list.
      location.hash = '#/';
    } catch (err) {
      setRefusal((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Show
      when={asking()}
      fallback={
        <button type="button" class="remove-button" data-action="remove" onClick={() => setAsking(true)}>
          {t('remove')}
        </button>
      }
    >
      <form class="remove-form" data-action="remove-form" onSubmit={submit}>
        <p>{t('removeExplain')}</p>
        <label>
          <span>{t('adminSecret')}</span>
          <input ref={secret} type="password" name="secret" autocomplete="off" autofocus />
        </label>
        <div class="remove-actions">
          <button type="submit" class="remove-button" disabled={busy()}>
            {t('removeConfirm')}
          </button>
          <button type="button" class="link-button" onClick={() => setAsking(false)}>
            {t('cancel')}
          </button>
        </div>
        <Show when={refusal()}>
          {(reason) => (
            <p class="remove-refusal" role="alert">
              {t('removeFailed', { reason: reason() })}
            </p>
          )}
        </Show>
      </form>
    </Show>
  );
}
