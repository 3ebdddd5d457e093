// A time-series chart drawn as SVG paths (stretched to the box) with HTML axis labels and a hover read-out.
// Gaps longer than `gap` seconds (the server was offline) break the lines.

import { createMemo, createSignal, For, Show } from 'solid-js';
import { clock, niceCeiling } from '../format';

export interface ChartSeries {
  name: string;
  /** CSS class giving the colour (stroke and legend dot). */
  tone: string;
  values: readonly number[];
}

const W = 1000;
const H = 200;
const TICKS = 4;

export function LineChart(props: {
  title: string;
  t: readonly number[];
  series: ChartSeries[];
  /** Fixed top of the scale (100 for percentages); otherwise a power of two of bytes above the data. */
  max?: number;
  format: (v: number) => string;
  gap: number;
  version: number;
}) {
  const [hover, setHover] = createSignal<number | undefined>(undefined);

  const scale = createMemo(() => {
    void props.version;
    const t = props.t;
    const t0 = t[0] ?? 0;
    const t1 = t[t.length - 1] ?? 1;
    let dataMax = 0;
    for (const s of props.series) for (const v of s.values) if (v > dataMax) dataMax = v;
    const top = props.max ?? niceCeiling(dataMax);
    return { t0, span: Math.max(1, t1 - t0), top, n: t.length };
  });

  const x = (i: number) => (((props.t[i] ?? 0) - scale().t0) / scale().span) * W;
  const y = (v: number) => H - (Math.min(Math.max(v, 0), scale().top) / scale().top) * H;

  const path = (values: readonly number[]) => {
    void props.version;
    let d = '';
    for (let i = 0; i < values.length; i++) {
      const broken = i === 0 || (props.t[i] ?? 0) - (props.t[i - 1] ?? 0) > props.gap;
      d += `${broken ? 'M' : 'L'}${x(i).toFixed(1)} ${y(values[i] as number).toFixed(1)}`;
    }
    return d;
  };

  const i = () => hover() ?? 0;
  /** Time at a fraction of the x axis; with seconds when the whole span is under ten minutes. */
  const xLabel = (fraction: number) =>
    scale().n > 0 ? clock(scale().t0 + scale().span * fraction, scale().span < 600) : '';

  const onMove = (e: PointerEvent) => {
    const box = (e.currentTarget as HTMLElement).getBoundingClientRect();
    const target = scale().t0 + ((e.clientX - box.left) / box.width) * scale().span;
    // Binary search for the nearest sample time.
    const t = props.t;
    let lo = 0;
    let hi = t.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((t[mid] as number) < target) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && target - (t[lo - 1] as number) < (t[lo] as number) - target) lo -= 1;
    setHover(t.length > 0 ? lo : undefined);
  };

  const latest = (s: ChartSeries) => {
    void props.version;
    const v = s.values[s.values.length - 1];
    return v === undefined ? '–' : props.format(v);
  };

  return (
    <figure class="chart">
      <figcaption class="chart-head">
        <span class="chart-title">{props.title}</span>
        <span class="chart-legend">
          <For each={props.series}>
            {(s) => (
              <span class={`legend ${s.tone}`}>
                <span class="legend-dot" />
                {s.name} <b>{latest(s)}</b>
              </span>
            )}
          </For>
        </span>
      </figcaption>
      <div class="chart-body">
        <div class="chart-y">
          <For each={[...Array(TICKS + 1).keys()].reverse()}>
            {(i) => <span>{props.format((scale().top * i) / TICKS)}</span>}
          </For>
        </div>
        <div class="chart-plot" onPointerMove={onMove} onPointerLeave={() => setHover(undefined)}>
          <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" aria-hidden="true">
            <For each={[...Array(TICKS + 1).keys()]}>
              {(i) => <path class="chart-grid" d={`M0 ${(H * i) / TICKS}H${W}`} />}
            </For>
            <For each={props.series}>{(s) => <path class={`chart-line ${s.tone}`} d={path(s.values)} />}</For>
          </svg>
          <Show when={hover() !== undefined}>
            <div class="chart-cursor" style={{ left: `${(x(i()) / W) * 100}%` }} />
            <div
              class="chart-tip"
              classList={{ flip: x(i()) > W * 0.6 }}
              style={{ left: `${(x(i()) / W) * 100}%` }}
            >
              <div class="chart-tip-time">{clock(props.t[i()] ?? 0, true)}</div>
              <For each={props.series}>
                {(s) => (
                  <div class={`legend ${s.tone}`}>
                    <span class="legend-dot" />
                    {s.name} <b>{props.format(s.values[i()] ?? 0)}</b>
                  </div>
                )}
              </For>
            </div>
          </Show>
        </div>
      </div>
      <div class="chart-x">
        <For each={[0, 0.5, 1]}>{(f) => <span>{xLabel(f)}</span>}</For>
      </div>
    </figure>
  );
}
