import {
  HISTORY_SERIES,
  HISTORY_VALUE_LIMIT,
  type HistoryColumns,
  type HistoryPoint,
  type HistorySeries,
  type ServerHistory,
} from '@sss/protocol';

/** A value a chart can draw: finite and within float32's range (NaN as 0); null (not reported) stays null. */
export function drawable(v: number | null): number | null {
  if (v === null) return null;
  if (Number.isNaN(v)) return 0;
  return Math.max(-HISTORY_VALUE_LIMIT, Math.min(HISTORY_VALUE_LIMIT, v));
}

/**
 * A fixed-size ring of the last `capacity` points, one typed array per column, allocated once at the first point
 * (a Node whose agent never reported costs nothing here): receipt times as float64, the series as float32
 * (7 significant digits, plenty for a chart; NaN marks a value the agent did not report): (8 + 7 x 4) bytes x
 * capacity per server, 25,920 bytes at the default 720 points.
 */
export class HistoryRing {
  private t = new Float64Array(0);
  private columns: Record<HistorySeries, Float32Array> | undefined;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {}

  private allocate(): Record<HistorySeries, Float32Array> {
    this.t = new Float64Array(this.capacity);
    this.columns = Object.fromEntries(
      HISTORY_SERIES.map((s) => [s, new Float32Array(this.capacity)]),
    ) as Record<HistorySeries, Float32Array>;
    return this.columns;
  }

  static bytesPerServer(capacity: number): number {
    return (
      (Float64Array.BYTES_PER_ELEMENT + HISTORY_SERIES.length * Float32Array.BYTES_PER_ELEMENT) * capacity
    );
  }

  get length(): number {
    return this.count;
  }

  push(t: number, point: HistoryPoint): void {
    const columns = this.columns ?? this.allocate();
    this.t[this.next] = t;
    for (const s of HISTORY_SERIES) columns[s][this.next] = drawable(point[s]) ?? Number.NaN;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Receipt time of the oldest point held, Unix seconds; undefined while empty. */
  get oldest(): number | undefined {
    return this.count === 0 ? undefined : this.t[(this.next - this.count + this.capacity) % this.capacity];
  }

  /** The points received in [from, to], Unix seconds, oldest first. */
  between(serverId: string, interval: number, from: number, to: number): ServerHistory {
    let newer = 0; // points after `to`
    while (newer < this.count && (this.t[(this.next - 1 - newer + this.capacity) % this.capacity] ?? 0) > to)
      newer++;
    let n = 0;
    while (
      newer + n < this.count &&
      (this.t[(this.next - 1 - newer - n + this.capacity) % this.capacity] ?? 0) >= from
    )
      n++;
    return this.toJSON(serverId, interval, n, newer);
  }

  /** The newest `limit` points (all by default), oldest first, leaving out the newest `skip`. */
  toJSON(serverId: string, interval: number, limit = this.count, skip = 0): ServerHistory {
    const n = Math.max(0, Math.min(limit, this.count - skip));
    const first = (this.next - skip - n + 2 * this.capacity) % this.capacity;
    const take = <V>(column: Float64Array | Float32Array, round: (v: number) => V) => {
      const out = new Array<V>(n);
      for (let i = 0; i < n; i++) out[i] = round(column[(first + i) % this.capacity] ?? 0);
      return out;
    };
    // Three decimals hide float32's representation noise (45.2 is stored as 45.200000762939453).
    const thousandths = (v: number) => (Number.isNaN(v) ? null : Math.round(v * 1000) / 1000);
    const columns = this.columns;
    const series = Object.fromEntries(
      HISTORY_SERIES.map((s) => [s, columns ? take(columns[s], thousandths) : []]),
    ) as HistoryColumns;
    return { serverId, interval, t: take(this.t, (v) => v), ...series };
  }
}
