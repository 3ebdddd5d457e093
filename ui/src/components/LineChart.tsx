// A time-series chart drawn as SVG paths (stretched to the box) with HTML axis labels and a hover read-out.
// Gaps longer than `gap` seconds (the server was offline) and missing values break the lines; a series with
// maxima (the stored rollups) has a faint band from its average up to each point's maximum.

import { createMemo, createSignal, For, Show } from 'solid-js';
import { axisLabelKind, bandPath, linePath, runs, type Value } from '../chart-paths';
import { clock, niceCeiling } from '../format';
import { t as message, monthDay } from '../i18n';

export interface ChartSeries {
  name: string;
  /** CSS class giving the colour (stroke and legend dot). */
  tone: string;
  values: readonly Value[];
  /** The maximum within each point, beside `values` (rollup tiers only). */
  max?: readonly Value[];
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
  /** The x axis spans [from, to] (Unix seconds); the data's first and last times when not given. */
  from?: number;
  to?: number;
}) {
  const [hover, setHover] = createSignal<number | undefined>(undefined);

  const scale = createMemo(() => {
    void props.version;
    const t = props.t;
    const t0 = props.from ?? t[0] ?? 0;
    const t1 = props.to ?? t[t.length - 1] ?? 1;
    let dataMax = 0;
    for (const s of props.series) {
      for (const v of s.values) if (v !== null && v > dataMax) dataMax = v;
      for (const v of s.max ?? []) if (v !== null && v > dataMax) dataMax = v;
    }
    const top = props.max ?? niceCeiling(dataMax);
    return { t0, span: Math.max(1, t1 - t0), top, n: t.length };
  });

  // A point that starts before the window (a rollup's minute or quarter hour) sits on its left edge.
  const x = (i: number) => Math.min(W, Math.max(0, (((props.t[i] ?? 0) - scale().t0) / scale().span) * W));
  const y = (v: number) => H - (Math.min(Math.max(v, 0), scale().top) / scale().top) * H;

  const paths = (s: ChartSeries) => {
    void props.version;
    void scale();
    const list = runs(props.t, s.values, props.gap);
    return { line: linePath(list, s.values, x, y), band: s.max ? bandPath(list, s.values, s.max, x, y) : '' };
  };

  const i = () => hover() ?? 0;
  const kind = () => axisLabelKind(scale().span);
  const xLabel = (fraction: number) => {
    if (scale().n === 0) return '';
    const at = scale().t0 + scale().span * fraction;
    return kind() === 'date' ? monthDay(at) : clock(at, kind() === 'seconds');
  };
  const tipTime = (at: number) => (kind() === 'date' ? `${monthDay(at)} ${clock(at)}` : clock(at, true));
  const shown = (v: Value | undefined) => (v === null || v === undefined ? '–' : props.format(v));

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
    return shown(s.values[s.values.length - 1]);
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
            <For each={props.series}>
              {(s) => (
                <Show when={s.max}>
                  <path class={`chart-band ${s.tone}`} d={paths(s).band} />
                </Show>
              )}
            </For>
            <For each={props.series}>{(s) => <path class={`chart-line ${s.tone}`} d={paths(s).line} />}</For>
          </svg>
          <Show when={hover() !== undefined}>
            <div class="chart-cursor" style={{ left: `${(x(i()) / W) * 100}%` }} />
            <div
              class="chart-tip"
              classList={{ flip: x(i()) > W * 0.6 }}
              style={{ left: `${(x(i()) / W) * 100}%` }}
            >
              <div class="chart-tip-time">{tipTime(props.t[i()] ?? 0)}</div>
              <For each={props.series}>
                {(s) => (
                  <div class={`legend ${s.tone}`}>
                    <span class="legend-dot" />
                    {s.name} <b>{shown(s.values[i()])}</b>
                    <Show when={s.max}>
                      {(max) => (
                        <>
                          {' '}
                          {message('peak')} <b>{shown(max()[i()])}</b>
                        </>
                      )}
                    </Show>
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
