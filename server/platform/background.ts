/**
 * Work that runs after a response or a commit (auto top-up charges, provider events). Tracked so
 * that shutdown and tests can wait for it (`idle`), and so a failure is logged, never unhandled.
 */
import type { Log } from './context'

export class Background {
  private readonly inflight = new Set<Promise<void>>()

  constructor(private readonly log: Log) {}

  run(name: string, fn: () => Promise<void>): void {
    const task: Promise<void> = fn()
      .catch((err: unknown) => this.log.error({ err, task: name }, 'background task failed'))
      .finally(() => this.inflight.delete(task))
    this.inflight.add(task)
  }

  get busy(): boolean {
    return this.inflight.size > 0
  }

  /** Resolves once nothing is running, including work started by work that was running. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight])
  }
}
