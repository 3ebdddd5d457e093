/**
 * Who holds each server's agent connection, across replicas. Every accepted connection gets a generation from one
 * Redis counter per server (INCR), so generations order connections whichever replica accepted them: the highest
 * owns the id, and an offline for an older generation is stale (the agent already reconnected elsewhere).
 */
export class Owners {
  private readonly newest = new Map<string, { replica: string; generation: number }>();

  /** Records a claim; true when it is the newest known for the server. */
  claim(id: string, replica: string, generation: number): boolean {
    const known = this.newest.get(id);
    if (known && known.generation >= generation) return known.generation === generation;
    this.newest.set(id, { replica, generation });
    return true;
  }

  /** Whether a connection of this generation is older than a known claim (so it must close as replaced). */
  superseded(id: string, generation: number): boolean {
    return this.generationOf(id) > generation;
  }

  /** Whether an offline for this generation applies: no newer connection is known. */
  offlineApplies(id: string, generation: number): boolean {
    return !this.superseded(id, generation);
  }

  /** The newest known generation of the server's connections (0: none known). */
  generationOf(id: string): number {
    return this.newest.get(id)?.generation ?? 0;
  }

  /** The replica holding the newest known connection of the server. */
  ownerOf(id: string): string | undefined {
    return this.newest.get(id)?.replica;
  }

  forget(id: string): void {
    this.newest.delete(id);
  }
}
