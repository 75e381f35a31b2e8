/**
 * "These municipalities' change logs grew": fired by `write` after COMMIT, never before, so a
 * till that pulls on the poke finds the rows. In-process only: with several server instances,
 * `write` would instead run `NOTIFY kantine_changes, '<municipalityId>'` inside the transaction
 * (Postgres delivers it at COMMIT), and each instance would LISTEN on one dedicated connection
 * and call `committed` for its own sockets.
 */
export class ChangeFeed {
  private readonly listeners = new Set<(municipalityIds: readonly string[]) => void>()

  committed(municipalityIds: readonly string[]): void {
    if (municipalityIds.length === 0) return
    for (const listener of this.listeners) listener(municipalityIds)
  }

  subscribe(listener: (municipalityIds: readonly string[]) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
