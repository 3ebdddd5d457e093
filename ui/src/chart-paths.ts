// The geometry of a history chart: which points join into one line (a gap where the server was offline, or a
// missing value, breaks it), the SVG paths of the lines and of the faint band up to each point's maximum, and
// what the x axis labels show for a span.

export type Value = number | null;

/** [first, last] index of each run of points drawn as one line. */
export type Run = readonly [number, number];

/**
 * Runs of consecutive points: a null value ends a run, and so does a step between two times longer than `gap`
 * seconds (nothing was recorded in between: the server or the dashboard was down).
 */
export function runs(t: readonly number[], values: readonly Value[], gap: number): Run[] {
  const found: Run[] = [];
  let start = -1;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) {
      if (start >= 0) found.push([start, i - 1]);
      start = -1;
      continue;
    }
    if (start >= 0 && (t[i] ?? 0) - (t[i - 1] ?? 0) > gap) {
      found.push([start, i - 1]);
      start = -1;
    }
    if (start < 0) start = i;
  }
  if (start >= 0) found.push([start, values.length - 1]);
  return found;
}

const xy = (x: number, y: number) => `${x.toFixed(1)} ${y.toFixed(1)}`;

/** One `M` per run; a lone point is a zero-length segment, which the round line cap draws as a dot. */
export function linePath(
  list: readonly Run[],
  values: readonly Value[],
  x: (i: number) => number,
  y: (v: number) => number,
): string {
  let d = '';
  for (const [first, last] of list) {
    d += `M${xy(x(first), y(values[first] as number))}`;
    for (let i = first + 1; i <= last; i++) d += `L${xy(x(i), y(values[i] as number))}`;
    if (first === last) d += 'h0';
  }
  return d;
}

/** Per run, the area between each point's maximum (above) and its value (below). */
export function bandPath(
  list: readonly Run[],
  values: readonly Value[],
  max: readonly Value[],
  x: (i: number) => number,
  y: (v: number) => number,
): string {
  let d = '';
  for (const [first, last] of list) {
    if (first === last) continue;
    d += `M${xy(x(first), y(max[first] ?? (values[first] as number)))}`;
    for (let i = first + 1; i <= last; i++) d += `L${xy(x(i), y(max[i] ?? (values[i] as number)))}`;
    for (let i = last; i >= first; i--) d += `L${xy(x(i), y(values[i] as number))}`;
    d += 'Z';
  }
  return d;
}

/** What the x axis labels show: dates over spans of more than two days, times (with seconds under 10 min) below. */
export function axisLabelKind(spanSeconds: number): 'date' | 'time' | 'seconds' {
  if (spanSeconds > 2 * 86_400) return 'date';
  return spanSeconds < 600 ? 'seconds' : 'time';
}
