/**
 * Forgetting what is only needed for a while: wrong-PIN counts (kiosk card + PIN, manager
 * unlock) once they can no longer lock anyone, and manager sessions long after they ended. The
 * audit log keeps who signed in when; these tables would otherwise grow with every wrong guess
 * (an attacker trying card numbers adds one row per number).
 *
 * Runs at start and then hourly, like the change log's pruning, one run at a time; each delete
 * is one statement by the server's clock.
 */
import { FAILURE_MEMORY_MS } from '../guardian/pin'
import { FAILURE_WINDOW_MS } from '../manager/auth'
import type { ServerContext } from './context'

/** Ended or expired manager sessions are kept this long (a till's "who was signed in" question), then deleted. */
export const MANAGER_SESSION_KEEP_MS = 30 * 24 * 60 * 60 * 1000
export const HOUSEKEEPING_EVERY_MS = 60 * 60 * 1000

export interface Forgotten {
  guardianPinFailures: number
  managerPinFailures: number
  managerSessions: number
}

export async function forgetStale(ctx: ServerContext): Promise<Forgotten> {
  const now = ctx.clock.now()
  const count = async (sql: string, params: unknown[]) => (await ctx.db.query<{ n: number }>(`WITH gone AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM gone`, params)).rows[0]!.n
  return {
    guardianPinFailures: await count(
      'DELETE FROM guardian_pin_failures WHERE last_failure_at < $1 AND (locked_until IS NULL OR locked_until < $2)',
      [new Date(now.getTime() - FAILURE_MEMORY_MS), now],
    ),
    managerPinFailures: await count(
      'DELETE FROM manager_pin_failures WHERE first_failure_at < $1 AND (locked_until IS NULL OR locked_until < $2)',
      [new Date(now.getTime() - FAILURE_WINDOW_MS), now],
    ),
    managerSessions: await count('DELETE FROM manager_sessions WHERE coalesce(ended_at, expires_at) < $1', [new Date(now.getTime() - MANAGER_SESSION_KEEP_MS)]),
  }
}

/** Forgets at start and then every `everyMs`, one run at a time; `stop` waits for a running one. */
export function startHousekeeping(ctx: ServerContext, everyMs = HOUSEKEEPING_EVERY_MS): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve()
  const run = () => {
    running = running.then(() =>
      forgetStale(ctx).then(
        (n) => {
          if (n.guardianPinFailures + n.managerPinFailures + n.managerSessions > 0) ctx.log.info(n, 'stale sign-in rows forgotten')
        },
        (err: unknown) => ctx.log.error({ err }, 'housekeeping failed'),
      ),
    )
  }
  run()
  const timer = setInterval(run, everyMs)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
