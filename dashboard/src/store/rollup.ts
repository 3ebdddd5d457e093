import { HISTORY_SERIES, HISTORY_VALUE_LIMIT, type HistoryPoint } from '@sss/protocol';
import { drawable } from '../hub/history';

export const SERIES_COUNT = HISTORY_SERIES.length;
const LOAD = HISTORY_SERIES.indexOf('load');

/** The stored tiers and their seconds per point. */
export const ROLLUP_STEP = { '1m': 60, '15m': 900 } as const;
export type RollupTier = keyof typeof ROLLUP_STEP;

/**
 * One rollup point as stored: `n` reports in it, `nl` of them with a load value; `v` the float32 averages of
 * HISTORY_SERIES then their maxima (NaN for load when nl = 0), 4 x 2 x SERIES_COUNT bytes.
 */
export interface RollupRow {
  t: number;
  n: number;
  nl: number;
  v: Uint8Array;
}

/** The float32 values of a row (copied when the bytes are not 4-aligned, as a Buffer from a pool may be). */
function floats(v: Uint8Array): Float32Array {
  const bytes = v.byteOffset % 4 === 0 ? v : v.slice();
  return new Float32Array(bytes.buffer, bytes.byteOffset, 2 * SERIES_COUNT);
}

/** Sums and maxima of the reports of one minute or quarter hour of one server. */
export class Accumulator {
  /** Start of the point, Unix seconds (a multiple of the step); -1 while empty. */
  start = -1;
  n = 0;
  nl = 0;
  readonly sum = new Float64Array(SERIES_COUNT);
  readonly max = new Float64Array(SERIES_COUNT).fill(Number.NEGATIVE_INFINITY);

  reset(start: number): void {
    this.start = start;
    this.n = 0;
    this.nl = 0;
    this.sum.fill(0);
    this.max.fill(Number.NEGATIVE_INFINITY);
  }

  add(point: HistoryPoint): void {
    this.n++;
    for (let i = 0; i < SERIES_COUNT; i++) {
      const v = drawable(point[HISTORY_SERIES[i] as keyof HistoryPoint]);
      if (v === null) continue;
      if (i === LOAD) this.nl++;
      this.sum[i] = (this.sum[i] as number) + v;
      if (v > (this.max[i] as number)) this.max[i] = v;
    }
  }

  /** Adds another accumulator's reports (a closed minute into its quarter). */
  merge(other: Accumulator): void {
    this.n += other.n;
    this.nl += other.nl;
    for (let i = 0; i < SERIES_COUNT; i++) {
      this.sum[i] = (this.sum[i] as number) + (other.sum[i] as number);
      this.max[i] = Math.max(this.max[i] as number, other.max[i] as number);
    }
  }

  /** Adds a stored row (a minute read back at start to rebuild its quarter). */
  mergeRow(row: RollupRow): void {
    const v = floats(row.v);
    this.n += row.n;
    this.nl += row.nl;
    for (let i = 0; i < SERIES_COUNT; i++) {
      const count = i === LOAD ? row.nl : row.n;
      if (count === 0) continue;
      this.sum[i] = (this.sum[i] as number) + (v[i] as number) * count;
      this.max[i] = Math.max(this.max[i] as number, v[SERIES_COUNT + i] as number);
    }
  }

  /** Writes the averages, then the maxima, as float32 at `at` of `v`. */
  writeValues(v: Float32Array, at: number): void {
    for (let i = 0; i < SERIES_COUNT; i++) {
      const count = i === LOAD ? this.nl : this.n;
      v[at + i] = count === 0 ? Number.NaN : clamp((this.sum[i] as number) / count);
      v[at + SERIES_COUNT + i] = count === 0 ? Number.NaN : clamp(this.max[i] as number);
    }
  }

  row(): RollupRow {
    const v = new Float32Array(2 * SERIES_COUNT);
    this.writeValues(v, 0);
    return { t: this.start, n: this.n, nl: this.nl, v: new Uint8Array(v.buffer) };
  }
}

const clamp = (x: number) => Math.max(-HISTORY_VALUE_LIMIT, Math.min(HISTORY_VALUE_LIMIT, x));

/** A packed row: server key, t, n, nl as float64, then the 2 x SERIES_COUNT float32 values. */
export const PACKED_HEAD = 32;
export const PACKED_ROW = PACKED_HEAD + 8 * SERIES_COUNT;

/**
 * Closed rows waiting for the writer, packed one after another in one growing buffer: closing a minute of each of
 * 10,000 servers allocates nothing per row, and the buffer goes to the writer as it is.
 */
export class PackedRows {
  private buffer = new ArrayBuffer(0);
  private f64 = new Float64Array(0);
  private f32 = new Float32Array(0);
  count = 0;

  push(key: number, acc: Accumulator): void {
    if ((this.count + 1) * PACKED_ROW > this.buffer.byteLength) this.grow();
    const i = (this.count * PACKED_ROW) / 8;
    this.f64[i] = key;
    this.f64[i + 1] = acc.start;
    this.f64[i + 2] = acc.n;
    this.f64[i + 3] = acc.nl;
    acc.writeValues(this.f32, (this.count * PACKED_ROW + PACKED_HEAD) / 4);
    this.count++;
  }

  private grow(): void {
    const bigger = new ArrayBuffer(Math.max(64 * PACKED_ROW, 2 * this.buffer.byteLength));
    new Uint8Array(bigger).set(new Uint8Array(this.buffer));
    this.buffer = bigger;
    this.f64 = new Float64Array(bigger);
    this.f32 = new Float32Array(bigger);
  }

  /** The rows' bytes, for the writer. */
  bytes(): ArrayBuffer {
    return this.buffer.slice(0, this.count * PACKED_ROW);
  }

  /** The rows of one server with t in [from, to]. */
  rowsOf(key: number, from: number, to: number): RollupRow[] {
    const rows: RollupRow[] = [];
    for (let r = 0; r < this.count; r++) {
      const i = (r * PACKED_ROW) / 8;
      const t = this.f64[i + 1] as number;
      if (this.f64[i] !== key || t < from || t > to) continue;
      const offset = r * PACKED_ROW + PACKED_HEAD;
      const v = new Uint8Array(this.buffer.slice(offset, offset + 8 * SERIES_COUNT));
      rows.push({ t, n: this.f64[i + 2] as number, nl: this.f64[i + 3] as number, v });
    }
    return rows;
  }

  /** The same rows without those of one server. */
  without(key: number): PackedRows {
    const kept = new PackedRows();
    const bytes = new Uint8Array(this.buffer);
    for (let r = 0; r < this.count; r++) {
      if (this.f64[(r * PACKED_ROW) / 8] === key) continue;
      if ((kept.count + 1) * PACKED_ROW > kept.buffer.byteLength) kept.grow();
      new Uint8Array(kept.buffer).set(
        bytes.subarray(r * PACKED_ROW, (r + 1) * PACKED_ROW),
        kept.count * PACKED_ROW,
      );
      kept.count++;
    }
    return kept;
  }
}

/** Three decimals hide float32's representation noise, as the ring answers. */
const thousandths = (v: number) => (Number.isNaN(v) ? null : Math.round(v * 1000) / 1000);

/** Columns of rows, oldest first: `t`, the averages and the maxima of each series (null where none). */
export function columnsOf(rows: readonly RollupRow[]) {
  const t = new Array<number>(rows.length);
  const avg = HISTORY_SERIES.map(() => new Array<number | null>(rows.length));
  const max = HISTORY_SERIES.map(() => new Array<number | null>(rows.length));
  rows.forEach((row, r) => {
    t[r] = row.t;
    const v = floats(row.v);
    for (let i = 0; i < SERIES_COUNT; i++) {
      (avg[i] as (number | null)[])[r] = thousandths(v[i] as number);
      (max[i] as (number | null)[])[r] = thousandths(v[SERIES_COUNT + i] as number);
    }
  });
  return { t, avg, max };
}
