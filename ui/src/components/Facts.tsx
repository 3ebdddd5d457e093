// A list of labelled facts (the details view's System and Kubernetes sections). A fact with several values
// (taints) shows one per line; a wide one (a reason, taints) takes a whole row and wraps.

import { For, Index, Show } from 'solid-js';

export interface Fact {
  /** Names the fact for tests and styles (data-fact). */
  key: string;
  label: string;
  value: string | readonly string[];
  /** Shown on hover, when it says more than the value (an exact date). */
  title?: string;
  wide?: boolean;
}

export function Facts(props: { facts: Fact[] }) {
  return (
    <dl class="facts">
      <Index each={props.facts}>
        {(fact) => {
          const text = () => {
            const value = fact().value;
            return typeof value === 'string' ? value : undefined;
          };
          const items = () => {
            const value = fact().value;
            return typeof value === 'string' ? undefined : value;
          };
          return (
            <div class="fact" classList={{ wide: fact().wide }} data-fact={fact().key}>
              <dt>{fact().label}</dt>
              <Show when={items()} fallback={<dd title={fact().title ?? text()}>{text() || '–'}</dd>}>
                {(list) => (
                  <dd>
                    <For each={list()} fallback="–">
                      {(item) => <span class="fact-item">{item}</span>}
                    </For>
                  </dd>
                )}
              </Show>
            </div>
          );
        }}
      </Index>
    </dl>
  );
}
