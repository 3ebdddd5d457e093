import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';

/** The bus between replicas in /metrics (only with SSS_REDIS_URL). */
export class BusMetrics {
  readonly published: Counter;
  readonly received: Counter;
  readonly dropped: Counter;
  readonly invalid: Counter<'source'>;
  readonly errors: Counter;
  readonly reconnects: Counter;
  readonly delivery: Histogram;
  private readonly up: Gauge;

  constructor(up: () => boolean) {
    // Registered by `register`, once the dashboard's registry exists.
    const registers: Registry[] = [];
    this.up = new Gauge({
      name: 'sss_bus_up',
      help: 'Connected to Redis (SSS_REDIS_URL) for publishing and receiving: 1; 0 while this replica serves only its own agents.',
      registers,
      collect() {
        this.set(up() ? 1 : 0);
      },
    });
    this.published = new Counter({
      name: 'sss_bus_messages_published_total',
      help: 'Messages this replica published to the other replicas (reports, connection claims, offline, removals).',
      registers,
    });
    this.received = new Counter({
      name: 'sss_bus_messages_received_total',
      help: 'Messages from the other replicas applied to this replica.',
      registers,
    });
    this.dropped = new Counter({
      name: 'sss_bus_messages_dropped_total',
      help: 'Messages not published because Redis was unreachable or too many were in flight; the other replicas resynchronise when it returns.',
      registers,
    });
    this.invalid = new Counter({
      name: 'sss_bus_invalid_states_total',
      help: "Server states from the other replicas not applied because they fail the report's validation, by where they came from (report: the bus; hash: Redis's state hash at a resynchronisation).",
      labelNames: ['source'],
      registers,
    });
    this.errors = new Counter({
      name: 'sss_bus_errors_total',
      help: 'Failed connection attempts and commands to Redis, and unreadable bus messages.',
      registers,
    });
    this.reconnects = new Counter({
      name: 'sss_bus_reconnects_total',
      help: 'Times the connection to Redis came back after it was lost (each followed by a resynchronisation).',
      registers,
    });
    this.delivery = new Histogram({
      name: 'sss_bus_delivery_seconds',
      help: "Time from a report's publication on another replica to its receipt here (the replicas' clocks).",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
  }

  register(registry: Registry): void {
    const all: Metric[] = [
      this.up,
      this.published,
      this.received,
      this.dropped,
      this.invalid,
      this.errors,
      this.reconnects,
    ];
    for (const metric of [...all, this.delivery]) registry.registerMetric(metric);
  }
}
