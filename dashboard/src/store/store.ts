import type { HistoryPoint } from '@sss/protocol';
import type { RollupRow, RollupTier } from './rollup';

/** A server's last state as the store keeps it: what the hub holds (a ServerState is one). */
export interface SavedServer {
  readonly id: string;
  /** Milliseconds since the epoch of the last report's receipt. */
  readonly lastSeen: number;
  /** The server's FrontendServerInfo JSON, as the frontends got it last. */
  readonly message: Uint8Array;
}

/**
 * Where history outlives the process: the 1-minute and 15-minute rollups of every server and each server's last
 * state. Fed by what the hub applies (never by a channel), so a report that reaches the hub by any path counts.
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
  /** Writes what is pending and closes the file. */
  close(): Promise<void>;
}
