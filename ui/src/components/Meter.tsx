// A usage bar: green, amber from 70%, red from 90%.

import { Show } from 'solid-js';
import { level, percent } from '../format';

export function Meter(props: {
  label: string;
  value: number;
  detail?: string;
  compact?: boolean;
  /** Names the figure for tests and styles: cpu, memory, disk. */
  field?: string;
}) {
  const clamped = () => Math.min(100, Math.max(0, props.value || 0));
  return (
    <div
      class="meter"
      classList={{ compact: props.compact }}
      data-level={level(clamped())}
      data-field={props.field}
      title={`${props.label}: ${percent(props.value)}`}
    >
      <Show when={!props.compact}>
        <div class="meter-head">
          <span class="meter-label">{props.label}</span>
          <span class="meter-detail">{props.detail}</span>
          <span class="meter-value">{percent(props.value)}</span>
        </div>
      </Show>
      <div class="meter-track" aria-hidden="true">
        <div class="meter-fill" style={{ transform: `scaleX(${clamped() / 100})` }} />
      </div>
      <Show when={props.compact}>
        <span class="meter-value">{percent(props.value)}</span>
      </Show>
    </div>
  );
}
