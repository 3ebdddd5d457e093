import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { DROP_REASONS } from '../access/connection-guard';
import { REJECT_REASONS, type RejectReason } from '../channels/agents';
import type { Hub } from '../hub/hub';
import { REFUSE_REASONS } from '../kubernetes/id-policy';
import { API_STATES, type NodeWatcher } from '../kubernetes/node-watcher';
import { serverExposition } from './server-metrics';

export interface MetricSources {
  hub: Hub;
  agentConnections: () => number;
  frontendConnections: () => number;
  frontendBacklog: () => { messages: number; bytes: number };
  /** Open TCP connections, upgraded ones included. */
  connections: () => number;
  /** Present when the dashboard watches a cluster's Nodes. */
  kubernetes?: NodeWatcher | undefined;
  /** The alert families (sss_alert_firing, notification counters) as exposition text, written at scrape time. */
  alerts?: () => string;
  /** Present when SSS_DATA_DIR configures the history store. */
  historyStore?: { readonly up: boolean; readonly errors: number } | undefined;
}

/**
 * The dashboard's own metrics (connections, reports, rejections, broadcast time, the process) in a registry of
 * its own. The per-server families are written by server-metrics.ts; `exposition` streams both.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly reports: Counter;
  readonly rejected: Counter<'reason'>;
  readonly authFailures: Counter;
  readonly rateLimited: Counter;
  readonly refused: Counter<'reason'>;
  readonly connectionsDropped: Counter<'reason'>;
  readonly broadcastDuration: Histogram;

  private readonly hub: Hub;
  private readonly alerts: (() => string) | undefined;

  constructor(sources: MetricSources) {
    this.hub = sources.hub;
    this.alerts = sources.alerts;
    const registers = [this.registry];
    new Gauge({
      name: 'sss_agent_connections',
      help: 'Open agent WebSocket connections.',
      registers,
      collect() {
        this.set(sources.agentConnections());
      },
    });
    new Gauge({
      name: 'sss_frontend_connections',
      help: 'Open browser WebSocket connections.',
      registers,
      collect() {
        this.set(sources.frontendConnections());
      },
    });
    new Gauge({
      name: 'sss_frontend_backlog_messages',
      help: 'Messages waiting for slow browsers (at most one per server per browser).',
      registers,
      collect() {
        this.set(sources.frontendBacklog().messages);
      },
    });
    new Gauge({
      name: 'sss_frontend_backlog_bytes',
      help: 'Bytes queued for slow browsers, in sockets and pending slots.',
      registers,
      collect() {
        this.set(sources.frontendBacklog().bytes);
      },
    });
    new Gauge({
      name: 'sss_connections',
      help: 'Open TCP connections to the dashboard, WebSockets included.',
      registers,
      collect() {
        this.set(sources.connections());
      },
    });
    this.connectionsDropped = new Counter({
      name: 'sss_connections_dropped_total',
      help: 'Connections closed by the flood limits: address_limit and descriptor_limit at accept, header_timeout when the request headers did not arrive in time.',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of DROP_REASONS) this.connectionsDropped.inc({ reason }, 0);
    this.reports = new Counter({ name: 'sss_reports_total', help: 'Reports accepted.', registers });
    this.rejected = new Counter({
      name: 'sss_reports_rejected_total',
      help: 'Reports and frames refused, by reason; each closed the connection with its documented code.',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of REJECT_REASONS) this.rejected.inc({ reason }, 0);
    this.authFailures = new Counter({
      name: 'sss_auth_failures_total',
      help: 'Agent connections closed with 1008 because the id or secret was wrong, and DELETE /api/servers/:id answered 403.',
      registers,
    });
    this.rateLimited = new Counter({
      name: 'sss_auth_rate_limited_total',
      help: 'Agent upgrades and DELETE requests refused with HTTP 429 after repeated authentication failures.',
      registers,
    });
    this.refused = new Counter({
      name: 'sss_agents_refused_total',
      help: 'Agents with the right secret refused: the id is no Node (1008) or the Nodes are not listed yet (1013) under SSS_ID_POLICY=nodes, or a new id beyond SSS_MAX_SERVERS (1013).',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of REFUSE_REASONS) this.refused.inc({ reason }, 0);
    if (sources.kubernetes) this.registerKubernetes(sources.kubernetes, sources.hub);
    const store = sources.historyStore;
    if (store) {
      new Gauge({
        name: 'sss_history_store_up',
        help: 'The history store (SSS_DATA_DIR) works: 1; 0 after it failed and was turned off (live monitoring goes on with history in memory).',
        registers,
        collect() {
          this.set(store.up ? 1 : 0);
        },
      });
      new Counter({
        name: 'sss_history_store_errors_total',
        help: 'Failures of the history store: opening, writing or reading the file (the first one turns it off).',
        registers,
        collect() {
          this.reset();
          this.inc(store.errors);
        },
      });
    }
    this.broadcastDuration = new Histogram({
      name: 'sss_broadcast_duration_seconds',
      help: 'Time to hand one change to every browser connection.',
      buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
  }

  private registerKubernetes(watcher: NodeWatcher, hub: Hub): void {
    const registers = [this.registry];
    new Gauge({
      name: 'sss_kubernetes_api_state',
      help: 'State of the connection to the Kubernetes API server: 1 for the current state, 0 for the others.',
      labelNames: ['state'],
      registers,
      collect() {
        for (const state of API_STATES) this.set({ state }, watcher.state === state ? 1 : 0);
      },
    });
    new Counter({
      name: 'sss_kubernetes_api_errors_total',
      help: 'Failed lists and watches of Nodes, by the state they led to (each retried with backoff).',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        for (const state of API_STATES) {
          if (state !== 'connecting' && state !== 'synced')
            this.inc({ state }, watcher.errors.get(state) ?? 0);
        }
      },
    });
    new Gauge({
      name: 'sss_kubernetes_nodes',
      help: 'Nodes of the cluster known to the dashboard (the last complete list plus watch events).',
      registers,
      collect() {
        this.set(watcher.size);
      },
    });
    new Gauge({
      name: 'sss_kubernetes_nodes_without_agent',
      help: 'Nodes whose agent does not report (never reported, or stopped).',
      registers,
      collect() {
        let missing = 0;
        for (const state of hub.list()) if (state.node && !state.online) missing++;
        this.set(missing);
      },
    });
  }

  reject(reason: RejectReason): void {
    this.rejected.inc({ reason });
  }

  /** The whole /metrics text, in chunks; per-server values are read from the hub now, never on the report path. */
  async *exposition(): AsyncGenerator<string> {
    yield await this.registry.metrics();
    yield* serverExposition([...this.hub.list()]);
    if (this.alerts) yield this.alerts();
  }
}
