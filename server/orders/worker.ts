/**
 * The order worker: once a minute (and at start) it releases tomorrow's orders to the tills,
 * captures the payment-card orders whose capture time has come, releases the payments of
 * cancelled ones the provider has not yet confirmed, and closes the pickup windows
 * that have ended; it also hears the provider's events for order payments. One per server
 * process (the guarded UPDATEs make a second one harmless, not useful).
 */
import type { ServerContext } from '../platform/context'
import { write } from '../platform/tx'
import { closeCancelledPayments } from './cancel'
import { captureDueOrders, orderPaymentEvent } from './payments'
import { releaseOrders } from './sync'
import { closeEndedWindows } from './window'

export const ORDER_TICK_MS = 60_000

export class OrderWorker {
  private readonly inflight = new Set<Promise<unknown>>()
  private timer: NodeJS.Timeout | null = null
  private unsubscribe: () => void = () => {}

  constructor(private readonly ctx: ServerContext) {}

  start(tickMs = ORDER_TICK_MS): this {
    this.unsubscribe = this.ctx.payments?.onEvent((event) => void this.track(orderPaymentEvent(this.ctx, event))) ?? (() => {})
    this.timer = setInterval(() => void this.tick(), tickMs).unref()
    void this.tick()
    return this
  }

  /** One round of the worker's work (tests call it with their clock set). */
  tick(): Promise<void> {
    return this.track(
      (async () => {
        await write(this.ctx, (tx) => releaseOrders(tx))
        await captureDueOrders(this.ctx)
        await closeCancelledPayments(this.ctx)
        await closeEndedWindows(this.ctx)
      })(),
    )
  }

  private track<T>(p: Promise<T>): Promise<void> {
    const task = p.then(
      () => {},
      (err: unknown) => this.ctx.log.error({ err }, 'order worker: a task failed'),
    )
    this.inflight.add(task)
    void task.finally(() => this.inflight.delete(task))
    return task
  }

  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight])
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.unsubscribe()
    await this.idle()
  }
}

const workers = new WeakMap<object, OrderWorker>()

/** The worker app.ts started for this context (tests wait on it). */
export function orderWorkerOf(ctx: object): OrderWorker | undefined {
  return workers.get(ctx)
}

export function startOrderWorker(ctx: ServerContext): OrderWorker {
  const worker = new OrderWorker(ctx).start()
  workers.set(ctx, worker)
  return worker
}
