import type { ServerInfo } from '@sss/protocol';
import type { HostCollector } from './collect/collector';
import type { Logger } from './logger';
import { buildReport, type Identity } from './report';

/** The first report goes out this soon after start (one interval at most), so speeds have a real baseline. */
const FIRST_REPORT_MS = 1_000;

/**
 * The collection loop: a baseline sample at start, the first report shortly after, then one report per
 * interval on a fixed cadence (a slow cycle delays the next one instead of overlapping it).
 */
export class ReportLoop {
  private timer?: NodeJS.Timeout;
  private lastCycleAt = performance.now();
  private next = 0;
  private stopped = false;
  cycles = 0;

  constructor(
    private readonly collector: HostCollector,
    private readonly identity: Identity,
    private readonly intervalMs: number,
    private readonly report: (info: ServerInfo) => void,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.collector.collect();
    this.lastCycleAt = performance.now();
    this.next = this.lastCycleAt + Math.min(FIRST_REPORT_MS, this.intervalMs);
    this.schedule();
  }

  /** True while cycles keep completing: none late by more than three intervals plus slack for statfs. */
  alive(): boolean {
    return !this.stopped && performance.now() - this.lastCycleAt < 3 * this.intervalMs + 10_000;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.cycle(), Math.max(0, this.next - performance.now()));
  }

  private async cycle(): Promise<void> {
    try {
      const sample = await this.collector.collect();
      this.report(buildReport(this.identity, sample, Math.floor(Date.now() / 1000)));
      this.cycles++;
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'report cycle failed');
    }
    this.lastCycleAt = performance.now();
    this.next = Math.max(this.next + this.intervalMs, this.lastCycleAt);
    this.schedule();
  }
}
