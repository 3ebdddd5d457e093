// Replicas over Redis: every report a replica accepts is published on one pub/sub channel and applied by every
// other replica to its own hub (so its ring, store, alerts and browsers see it as if its own agent had sent it); the
// latest state of every server is kept in a hash for replicas that start or come back.
//
// Pub/sub plus a state hash rather than streams: a report is a full snapshot of its server and a newer one comes
// every interval, so what a reconnecting replica needs is the latest state (the hash) and the next report, not the
// ones it missed. The reports a replica receives while it is cut from Redis never reach Redis either, so a stream
// could not fill the other replicas' history for that time anyway, and replaying old reports into a hub would stamp
// them with the time of replay. Pub/sub costs one PUBLISH per report and no trimming; delivery is one hop.
import type { FrontendServerInfo, ServerInfo } from '@sss/protocol';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { background } from '../background';
import type { AgentReplication } from '../channels/agents';
import { type Hub, type HubObserver, type ServerState, validReportOfView } from '../hub/hub';
import { BusMetrics } from './bus-metrics';
import { type BusMessage, decode, decodeOwner, encode, encodeOwner } from './messages';
import { Owners } from './owners';
import { defaultReplicaId, type ReplicaConfig, readCa, readPassword } from './settings';

type RedisClient = ReturnType<typeof import('redis')['createClient']>;

/** Publications waiting for Redis's answer at most; beyond it reports are dropped (counted), never queued. */
const MAX_IN_FLIGHT = 10_000;
/** How often the states of this replica's servers are written to the hash, in one HSET. */
const SAVE_STATES_MS = 1_000;
const RETRY_MAX_MS = 2_000;
/**
 * After Redis returns, how many offline periods a server held elsewhere is spared at most while its holder has not
 * come back (a holder back later is taken for gone: its agents reconnect to a replica that is up meanwhile).
 */
const HOLDER_RETURN_PERIODS = 2;
/** A holder back on Redis publishes the states of all its servers in one go; those it holds arrive within this. */
const HOLDER_STATES_MS = 1_000;
/** The notification lease: how long alert notifications may pause when the replica sending them dies. */
const LEASE_MS = 5_000;
/**
 * Takes the lease when free, or extends it when this replica holds it; 1 when this replica holds it now, else minus
 * the milliseconds the other holder's lease has left (so when it last renewed it), or 0.
 */
const LEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
local left = redis.call('PTTL', KEYS[1])
if left > 0 then return -left end
return 0`;

/**
 * A connection's generation: the server's counter plus one, and at least one above the newest this replica knows
 * (ARGV[1]). A Redis that restarted without its data starts every counter at 1 again; without the floor, a
 * replica's own connections, claimed anew at the resynchronisation, would rank below its own earlier claims and
 * close as replaced.
 */
const CLAIM_SCRIPT = `local g = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[1])
if g <= floor then
  g = floor + 1
  redis.call('SET', KEYS[1], g)
end
return g`;

/** Reconnect backoff: 100 ms doubling to 2 s, with up to 20% jitter so replicas do not retry in step. */
export function retryDelay(retries: number, random = Math.random): number {
  const base = Math.min(100 * 2 ** Math.min(retries, 16), RETRY_MAX_MS);
  return Math.round(base * (1 + 0.2 * random()));
}

interface LocalOwner {
  /** Its generation from Redis (undefined while Redis was unreachable); claimed anew on every resync. */
  generation: Promise<number | undefined>;
  /** Closes the connection with 4000 replaced. */
  readonly replace: () => void;
}

export class ReplicaBus implements AgentReplication {
  readonly id: string;
  private readonly metrics: BusMetrics;
  private readonly owners = new Owners();
  /** The agent connections this replica holds. */
  private readonly local = new Map<string, LocalOwner>();
  /** Servers whose state this replica changed since the hash was last written. */
  private readonly dirty = new Set<string>();
  /** Servers whose state this replica wrote since their connection began (the first report is written at once). */
  private readonly written = new Set<string>();
  /** Removals made while Redis was unreachable, published when it returns. */
  private readonly pendingRemovals = new Set<string>();
  private readonly keys: {
    channel: string;
    servers: string;
    owners: string;
    generation: string;
    notifier: string;
  };
  private up = false;
  /**
   * Whether the first SUBSCRIBE was answered. The subscriber is 'ready' before it, so a replica counted itself up
   * while another replica's reports still passed it by; on a reconnect the client resubscribes before 'ready'.
   */
  private subscribed = false;
  private subscribing = false;
  private everUp = false;
  private saidDown = false;
  private closed = false;
  private inFlight = 0;
  /** Set while a message of another replica is applied: what the hub then reports is not ours to publish. */
  private applying = false;
  private timer: NodeJS.Timeout | undefined;
  private leaseHeld = false;
  /** Date.now() when another replica was last known to renew the notification lease (0: never). */
  private leaseElsewhereAt = 0;
  /** Date.now() when the last resynchronisation ended; 0 while Redis is unreachable. */
  private syncedAt = 0;
  /** While returning(): the servers whose reports came over the bus (their lastSeen is fresh). */
  private readonly reportedSince = new Set<string>();
  /** While returning(): the servers a holder published the state of, and when each holder first did. */
  private readonly statedSince = new Set<string>();
  private readonly holderBackAt = new Map<string, number>();
  /** Where an invalid server state came from, once logged. */
  private readonly saidInvalid = new Set<'report' | 'hash'>();

  private constructor(
    private readonly cmd: RedisClient,
    private readonly sub: RedisClient,
    private readonly hub: Hub,
    config: ReplicaConfig,
    private readonly log: Logger,
  ) {
    this.id = config.replicaId ?? defaultReplicaId();
    const prefix = config.redisPrefix;
    this.keys = {
      channel: `${prefix}:bus`,
      servers: `${prefix}:servers`,
      owners: `${prefix}:owners`,
      generation: `${prefix}:gen:`,
      notifier: `${prefix}:notifier`,
    };
    this.metrics = new BusMetrics(() => this.up);
  }

  /** Loads the Redis client (only now: without SSS_REDIS_URL it is never loaded). Throws SettingError. */
  static async create(config: ReplicaConfig & { redisUrl: URL }, hub: Hub, log: Logger): Promise<ReplicaBus> {
    const url = config.redisUrl;
    const ca = readCa(config);
    const passwordFile = config.redisPasswordFile;
    if (passwordFile !== undefined) readPassword(passwordFile);
    const username = decodeURIComponent(url.username) || undefined;
    const { createClient } = await import('redis');
    const cmd = createClient({
      url: url.href,
      // A command while Redis is unreachable fails at once instead of waiting in a queue.
      disableOfflineQueue: true,
      // A PING every second and a socket silent for 5 s counted as lost: a Redis that hangs, or a network that
      // drops packets without a reset, is noticed (sss_bus_up 0) and reconnected instead of waited for.
      pingInterval: 1_000,
      socket: {
        connectTimeout: 5_000,
        socketTimeout: 5_000,
        reconnectStrategy: (retries: number) => retryDelay(retries),
        ...(ca !== undefined ? { tls: true as const, ca } : {}),
      },
      ...(passwordFile !== undefined
        ? {
            credentialsProvider: {
              type: 'async-credentials-provider' as const,
              // Read at every connection, so a rotated Secret takes effect.
              credentials: async () => ({
                ...(username ? { username } : {}),
                password: readPassword(passwordFile),
              }),
            },
          }
        : {}),
    });
    return new ReplicaBus(cmd, cmd.duplicate(), hub, config, log);
  }

  /** Connects in the background (never blocks the start or a report) and retries with backoff. */
  start(): void {
    for (const client of [this.cmd, this.sub]) {
      client.on('error', (err: Error) => this.failed(err));
      client.on('ready', () => this.connected());
    }
    this.sub.on('ready', () => this.subscribe());
    void this.cmd.connect().catch((err: Error) => this.failed(err));
    void this.sub.connect().catch((err: Error) => this.failed(err));
    this.timer = setInterval(() => {
      this.saveStates();
      this.renewLease();
    }, SAVE_STATES_MS);
    this.timer.unref();
    this.log.info(
      { replica: this.id, prefix: this.keys.channel.slice(0, -4) },
      'replicas: connecting to redis',
    );
  }

  /**
   * Wraps the hub's observer (the store) so that removals made here reach the other replicas, and has the hub's
   * sweep spare the servers held elsewhere while this replica cannot hear about them.
   */
  observe(hub: Hub): void {
    hub.spared = (id) => this.heldElsewhere(id);
    const inner = hub.observer;
    const observer: HubObserver = {
      reported: (state, t, point, first) => inner?.reported(state, t, point, first),
      wentOffline: (state) => inner?.wentOffline(state),
      adopted: (state) => inner?.adopted(state),
      removed: (id) => {
        inner?.removed(id);
        this.removed(id);
      },
    };
    hub.observer = observer;
  }

  /** Puts the sss_bus_* families into the dashboard's registry. */
  registerMetrics(registry: Registry): void {
    this.metrics.register(registry);
  }

  /**
   * Whether this replica sends the alert notifications: the one holding the lease in Redis, so a receiver gets
   * each once; every replica while Redis is unreachable (a duplicate rather than silence).
   */
  get notifies(): boolean {
    return !this.up || this.leaseHeld;
  }

  /** When another replica was last known to hold the notification lease (Date.now() ms; 0: never). */
  get notifiesElsewhereAt(): number {
    return this.leaseElsewhereAt;
  }

  /**
   * Whether the server's agent is held by another replica (its last known owner) and this replica cannot hear about
   * it yet: Redis is unreachable, or came back and the holder has not: it may reconnect later than this replica, and
   * publishes the states of the servers it holds when it does. Such a server stays as it was last known (online, its
   * lastSeen growing old) rather than offline: an outage of Redis would otherwise have every replica send
   * ServerOffline for every server held elsewhere, then a resolution. A server that did go meanwhile goes offline
   * once its holder is back without it, or HOLDER_RETURN_PERIODS offline periods after this replica's return.
   */
  heldElsewhere(id: string): boolean {
    if (this.local.has(id) || this.reportedSince.has(id)) return false;
    const owner = this.owners.ownerOf(id);
    if (owner === undefined || owner === this.id) return false;
    if (!this.returning()) return false;
    const back = this.holderBackAt.get(owner);
    return back === undefined || this.statedSince.has(id) || Date.now() - back < HOLDER_STATES_MS;
  }

  /** Whether Redis is unreachable, or came back so lately that other replicas may still be on their way back. */
  private returning(): boolean {
    return (
      !this.up ||
      this.syncedAt === 0 ||
      Date.now() - this.syncedAt < HOLDER_RETURN_PERIODS * this.hub.offlineAfterMs
    );
  }

  accepted(serverId: string, replace: () => void): void {
    const owner: LocalOwner = { generation: Promise.resolve(undefined), replace };
    this.local.set(serverId, owner);
    this.written.delete(serverId);
    this.claim(serverId, owner);
  }

  reported(state: ServerState): void {
    const view = state.message.toString();
    this.publish({ kind: 'report', from: this.id, sentAt: Date.now(), view });
    // A connection's first report is in the hash at once, so a replica starting now lists the server online;
    // later ones are written once a second.
    if (this.up && !this.written.has(state.id)) {
      this.written.add(state.id);
      this.command(this.cmd.hSet(this.keys.servers, state.id, view));
    } else {
      this.dirty.add(state.id);
    }
  }

  disconnected(serverId: string): void {
    const owner = this.local.get(serverId);
    if (!owner || this.closed) return;
    this.local.delete(serverId);
    this.dirty.add(serverId);
    background(
      owner.generation.then((generation) =>
        this.publish({ kind: 'offline', from: this.id, id: serverId, generation: generation ?? 0 }),
      ),
      this.log,
      'replicas: publishing an offline',
    );
  }

  /** Stops publishing (the connections closed by shutdown are not offline: their agents reconnect elsewhere). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.up = false;
    for (const client of [this.sub, this.cmd]) {
      if (client.isOpen) client.destroy();
    }
  }

  private removed(id: string): void {
    if (this.applying || this.closed) return;
    this.owners.forget(id);
    this.dirty.delete(id);
    if (!this.up) {
      this.pendingRemovals.add(id);
      return;
    }
    this.publish({ kind: 'removed', from: this.id, id });
    this.command(this.cmd.hDel(this.keys.servers, id));
    this.command(this.cmd.hDel(this.keys.owners, id));
  }

  /** Takes a generation from Redis for the connection and tells the other replicas, whose older ones close. */
  private claim(serverId: string, owner: LocalOwner): void {
    if (!this.up) return;
    owner.generation = this.cmd
      .eval(CLAIM_SCRIPT, {
        keys: [`${this.keys.generation}${serverId}`],
        arguments: [String(this.owners.generationOf(serverId))],
      })
      .then(Number)
      .catch((err: Error) => {
        this.failed(err);
        return undefined;
      });
    const claimed = owner.generation.then((generation) => {
      if (generation === undefined || this.local.get(serverId) !== owner) return;
      if (this.owners.superseded(serverId, generation)) {
        this.local.delete(serverId);
        owner.replace();
        return;
      }
      this.owners.claim(serverId, this.id, generation);
      this.publish({ kind: 'claim', from: this.id, id: serverId, generation });
      this.command(this.cmd.hSet(this.keys.owners, serverId, encodeOwner(this.id, generation)));
    });
    background(claimed, this.log, 'replicas: claiming a connection');
  }

  private receive(text: string): void {
    const message = decode(text);
    if (!message) {
      this.metrics.errors.inc();
      return;
    }
    if (message.from === this.id) return;
    this.metrics.received.inc();
    this.applying = true;
    try {
      this.apply(message);
    } catch (err) {
      this.metrics.errors.inc();
      this.log.warn({ err: (err as Error).message, from: message.from }, 'replicas: unreadable message');
    } finally {
      this.applying = false;
    }
  }

  private apply(message: BusMessage): void {
    switch (message.kind) {
      case 'report': {
        this.metrics.delivery.observe(Math.max(0, Date.now() - message.sentAt) / 1000);
        const report = this.checked(JSON.parse(message.view), 'report');
        if (!report) return;
        if (this.returning()) this.reportedSince.add(report.serverId);
        this.hub.report(report);
        return;
      }
      case 'state': {
        const view: unknown = JSON.parse(message.view);
        const report = this.checked(view, 'report');
        if (!report) return;
        if (this.returning()) {
          if (!this.holderBackAt.has(message.from)) this.holderBackAt.set(message.from, Date.now());
          this.statedSince.add(report.serverId);
        }
        this.adopt(view as FrontendServerInfo, report);
        return;
      }
      case 'claim': {
        this.owners.claim(message.id, message.from, message.generation);
        const owner = this.local.get(message.id);
        if (!owner) return;
        const replaced = owner.generation.then((generation) => {
          if (generation === undefined || this.local.get(message.id) !== owner) return;
          if (!this.owners.superseded(message.id, generation)) return;
          this.local.delete(message.id);
          owner.replace();
        });
        background(replaced, this.log, 'replicas: closing a replaced connection');
        return;
      }
      case 'offline':
        if (this.local.has(message.id) || !this.owners.offlineApplies(message.id, message.generation)) return;
        this.hub.disconnected(message.id);
        return;
      case 'removed':
        this.owners.forget(message.id);
        this.dirty.delete(message.id);
        this.hub.remove(message.id);
        return;
    }
  }

  private publish(message: BusMessage): void {
    if (this.closed) return;
    if (!this.up || this.inFlight >= MAX_IN_FLIGHT) {
      this.metrics.dropped.inc();
      return;
    }
    this.inFlight++;
    this.cmd.publish(this.keys.channel, encode(message)).then(
      () => {
        this.inFlight--;
        this.metrics.published.inc();
      },
      (err: Error) => {
        this.inFlight--;
        this.metrics.dropped.inc();
        this.failed(err);
      },
    );
  }

  /** A command whose answer nobody waits for; a failure is counted and logged once per outage. */
  private command(reply: Promise<unknown>): void {
    reply.catch((err: Error) => this.failed(err));
  }

  /** Writes the latest state of the servers this replica changed, for replicas that start later. */
  private saveStates(): void {
    if (!this.up || this.dirty.size === 0) return;
    const states: Record<string, string> = {};
    for (const id of this.dirty) {
      const state = this.hub.get(id);
      if (state) states[id] = state.message.toString();
    }
    this.dirty.clear();
    if (Object.keys(states).length > 0) this.command(this.cmd.hSet(this.keys.servers, states));
  }

  private renewLease(): void {
    if (!this.up) {
      this.leaseHeld = false;
      return;
    }
    this.cmd.eval(LEASE_SCRIPT, { keys: [this.keys.notifier], arguments: [this.id, String(LEASE_MS)] }).then(
      (held) => {
        if (held === 1 && !this.leaseHeld)
          this.log.info({ replica: this.id }, 'replicas: this replica sends the alert notifications');
        this.leaseHeld = held === 1;
        if (typeof held === 'number' && held < 0) this.leaseElsewhereAt = Date.now() - (LEASE_MS + held);
      },
      (err: Error) => {
        this.leaseHeld = false;
        this.failed(err);
      },
    );
  }

  /**
   * Subscribes on the subscriber's first 'ready', and again on a later one while no SUBSCRIBE was answered (a first
   * one lost with its connection is not resubscribed by the client, which resubscribes only what it holds).
   */
  private subscribe(): void {
    if (this.subscribed || this.subscribing || this.closed) return;
    this.subscribing = true;
    this.sub
      .subscribe(this.keys.channel, (text: string) => this.receive(text))
      .then(() => {
        this.subscribed = true;
        this.connected();
      })
      .catch((err: Error) => this.failed(err))
      .finally(() => {
        this.subscribing = false;
      });
  }

  private connected(): void {
    if (this.up || this.closed || !this.subscribed || !this.cmd.isReady || !this.sub.isReady) return;
    this.up = true;
    this.saidDown = false;
    if (this.everUp) {
      this.metrics.reconnects.inc();
      this.log.info({ replica: this.id }, 'replicas: redis is back; resynchronising');
    } else {
      this.log.info({ replica: this.id }, 'replicas: connected to redis');
    }
    this.everUp = true;
    this.renewLease();
    background(this.resync(), this.log, 'replicas: resynchronisation');
  }

  private failed(err: Error): void {
    if (this.closed) return;
    this.metrics.errors.inc();
    if (this.cmd.isReady && this.sub.isReady) return;
    this.up = false;
    this.syncedAt = 0;
    this.reportedSince.clear();
    this.statedSince.clear();
    this.holderBackAt.clear();
    if (this.saidDown) return;
    this.saidDown = true;
    this.log.warn(
      { err: err.message, replica: this.id },
      'replicas: redis unreachable (sss_bus_up 0); serving this replica’s own agents only, retrying with backoff',
    );
  }

  /**
   * A server's state from the hash: listed when unknown here; when this replica only knows it offline (its history
   * store's restore) and another replica still has it online, its last report is applied so it is online here too.
   */
  private adopt(view: FrontendServerInfo, report: ServerInfo): void {
    const lastSeen = Number.isFinite(view.lastSeen) ? view.lastSeen * 1000 : 0;
    const online = view.online === true;
    const known = this.hub.get(report.serverId);
    if (!known) {
      this.hub.adopt(report, lastSeen, online);
      return;
    }
    const due = lastSeen > Date.now() - this.hub.offlineAfterMs;
    if (online && due && !known.online && !this.local.has(report.serverId)) {
      this.hub.report(report);
    }
  }

  /** A server state from another replica, validated; undefined (counted, logged once per source) when it fails. */
  private checked(view: unknown, source: 'report' | 'hash'): ServerInfo | undefined {
    const result = validReportOfView(view);
    if (result.ok) return result.value;
    this.metrics.invalid.inc({ source });
    if (!this.saidInvalid.has(source)) {
      this.saidInvalid.add(source);
      this.log.warn(
        { source, field: result.field, problem: result.message, replica: this.id },
        'replicas: a server state from another replica fails validation and is dropped (sss_bus_invalid_states_total)',
      );
    }
    return undefined;
  }

  /**
   * After (re)connecting: lists the servers the others know that this replica does not, re-claims this replica's
   * connections, writes and publishes their states, and publishes the removals made meanwhile.
   */
  private async resync(): Promise<void> {
    let states: Record<string, string>;
    let owners: Record<string, string>;
    try {
      [states, owners] = await Promise.all([
        this.cmd.hGetAll(this.keys.servers),
        this.cmd.hGetAll(this.keys.owners),
      ]);
    } catch (err) {
      this.failed(err as Error);
      return;
    }
    for (const [id, text] of Object.entries(owners)) {
      const owner = decodeOwner(text);
      if (owner) this.owners.claim(id, owner.replica, owner.generation);
    }
    for (const id of this.pendingRemovals) {
      delete states[id];
      this.removed(id);
    }
    this.pendingRemovals.clear();
    this.applying = true;
    try {
      for (const [id, text] of Object.entries(states)) {
        try {
          const view: unknown = JSON.parse(text);
          const report = this.checked(view, 'hash');
          if (report?.serverId === id) this.adopt(view as FrontendServerInfo, report);
        } catch {
          this.metrics.errors.inc();
        }
      }
    } finally {
      this.applying = false;
    }
    for (const [id, owner] of this.local) {
      this.dirty.add(id);
      this.claim(id, owner);
    }
    // The others list this replica's servers at once, not at their agents' next report (an interval may be a minute):
    // the states are written, then published, in this order on one connection, so a replica subscribing after the
    // publication reads the hash after the write. Published as states, not reports: no history point is replayed.
    this.saveStates();
    for (const id of this.local.keys()) {
      const state = this.hub.get(id);
      if (state)
        this.publish({ kind: 'state', from: this.id, sentAt: Date.now(), view: state.message.toString() });
    }
    if (this.up) this.syncedAt = Date.now();
  }
}
