import type { AlertAbout, HistoryPoint } from '@sss/protocol';
import type { RollupRow, RollupTier } from './rollup';

/** A server's last state as the store keeps it: what the hub holds (a ServerState is one). */
export interface SavedServer {
  readonly id: string;
  /** Milliseconds since the epoch of the last report's receipt. */
  readonly lastSeen: number;
  /** The server's FrontendServerInfo JSON, as the frontends got it last. */
  readonly message: Uint8Array;
}

/** An alert that fired, as the store keeps it: one row per firing (fingerprint and startsAt). Times in ms. */
export interface SavedAlert {
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly description: string;
  readonly activeAt: number;
  readonly startsAt: number;
  /** Absent while it fires. */
  readonly endsAt?: number | undefined;
  readonly value?: number | undefined;
  readonly about?: AlertAbout | undefined;
}

/** Which resolved alerts `queryAlerts` answers: those active at some time in [from, to] (ms), newest end first. */
export interface AlertQuery {
  from: number;
  to: number;
  limit: number;
  severity?: readonly string[] | undefined;
  server?: readonly string[] | undefined;
}

/**
 * Where history outlives the process: the 1-minute and 15-minute rollups of every server, each server's last
 * state, and the alerts that fired and resolved. Fed by what the hub applies (never by a channel), so a report that reaches the hub by any path counts.
 * Every method is cheap on the report path; writing happens later, in batches. A store that failed (`up` false)
 * ignores everything and answers nothing; the hub's in-memory ring goes on.
 */
export interface HistoryStore {
  readonly up: boolean;
  /** A report's point at `t` (Unix seconds), added to the open minute's sums in memory. */
  record(id: string, t: number, point: HistoryPoint): void;
  /** Keep this server's state; `now` saves it at the next flush, else within a minute. */
  saveState(server: SavedServer, now: boolean): void;
  /** Forget the server: its state and its points. */
  remove(id: string): void;
  /** Every server the store knows, as saved last. */
  loadStates(): SavedServer[];
  /** The tier's points of the server with start t in [from, to], oldest first, the open ones included. */
  query(id: string, tier: RollupTier, from: number, to: number): RollupRow[];
  /** An alert started firing or resolved: written at the next flush (a later change of it replaces this one). */
  recordAlert(alert: SavedAlert): void;
  /** The alerts that were firing when the store was written last. */
  loadFiringAlerts(): SavedAlert[];
  /** Resolved alerts as written (not those of the flush under way). */
  queryAlerts(query: AlertQuery): SavedAlert[];
  /** Writes what is pending and closes the file. */
  close(): Promise<void>;
}
