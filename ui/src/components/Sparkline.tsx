// CPU (filled) and memory (line) over the last few minutes, newest on the right, 0-100% tall. Nothing is drawn
// until two points exist: a lone point is no line, and the grid alone looked like an empty chart. The grid runs
// under the points only, so a young card's few minutes are not a long empty dashed line.

import { Show } from 'solid-js';
import type { Columns } from '../series';

const W = 120;
const H = 32;

/** Where the first of `count` points is drawn, the newest being at the right edge. */
function startOf(count: number, capacity: number): number {
  return Math.max(0, W - (count - 1) * (W / (capacity - 1)));
}

function points(values: readonly number[], capacity: number): string {
  const step = W / (capacity - 1);
  const offset = startOf(values.length, capacity);
  let d = '';
  for (let i = 0; i < values.length; i++) {
    const raw = values[i] as number;
    const v = Number.isFinite(raw) ? Math.min(100, Math.max(0, raw)) : 0;
    d += `${i === 0 ? 'M' : 'L'}${(offset + i * step).toFixed(1)} ${(H - (v / 100) * (H - 1) - 0.5).toFixed(1)}`;
  }
  return d;
}

export function Sparkline(props: {
  columns: Columns;
  version: number;
  capacity: number;
  label: string;
  cpuLabel: string;
  memoryLabel: string;
}) {
  // The columns are mutated in place; reading `version` makes the paths recompute when they change.
  const cpu = () => {
    void props.version;
    return points(props.columns.cpu, props.capacity);
  };
  const memory = () => {
    void props.version;
    return points(props.columns.memory, props.capacity);
  };
  const drawn = () => {
    void props.version;
    return props.columns.cpu.length >= 2;
  };
  const area = () => {
    const line = cpu();
    if (!line) return '';
    const first = line.slice(1, line.indexOf(' '));
    return `${line}L${W} ${H}L${first} ${H}Z`;
  };
  return (
    <div class="spark">
      <div class="spark-legend" aria-hidden="true">
        <span class="tone-cpu">{props.cpuLabel}</span>
        <span class="tone-mem">{props.memoryLabel}</span>
      </div>
      <svg
        class="sparkline"
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={props.label}
      >
        <Show when={drawn()}>
          <path
            class="spark-grid"
            d={`M${startOf(props.columns.cpu.length, props.capacity).toFixed(1)} ${H / 2}H${W}`}
          />
          <path class="spark-cpu-area" d={area()} />
          <path class="spark-cpu" d={cpu()} />
          <path class="spark-mem" d={memory()} />
        </Show>
      </svg>
    </div>
  );
}
