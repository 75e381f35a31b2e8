import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../app'
import type { Db } from '../db'
import { accountSummary } from '../money/accounts'
import { enrolTill, fakeTimers, openTestDb, pushAs, sale, seedFixture, testClock, uniqueSuffix, type Fixture, type Till } from '../../test/support/server'
import { serverSuite } from '../../test/support/server-suite'
import { createTopupAgreement, retryDelayMs } from './auto-topup'
import { startDeposit } from './deposits'
import type { ChargeRequest, ChargeResult } from './provider'
import { SimulatedProvider, TEST_CARDS } from './simulated'

const ledgerKinds = async (server: RunningServer, accountId: string) => (await accountSummary(server.ctx, accountId))!.ledger.map((l) => l.kind).reverse()

/** Two purchases: the second one starts under 50 kr, which asks for an auto top-up. */
async function buyDownUnder50(server: RunningServer, f: Fixture, till: Till, firstSeq = 1) {
  await pushAs(server, till, [sale(f, firstSeq, { lines: [{ ...f.products.bun, qty: 5 }] })])
  await pushAs(server, till, [sale(f, firstSeq + 1)])
}

describe('the simulated provider, chosen explicitly, remembers saved cards across a restart', () => {
  let db: Db
  const clock = testClock()
  beforeAll(async () => {
    db = await openTestDb()
  })
  afterAll(async () => {
    await db.close()
  })

  it('charges the card a guardian saved before the server restarted', async () => {
    let server = await startServer({ db, clock, payments: 'simulated' })
    let f: Fixture
    try {
      f = await seedFixture(db, clock)
      const agreement = await createTopupAgreement(server.ctx, { accountId: f.alice.accountId, cardToken: TEST_CARDS.ok, amount: 20000, idempotencyKey: uniqueSuffix() })
      expect(agreement.ok).toBe(true)
    } finally {
      await server.close()
    }
    server = await startServer({ db, clock, payments: 'simulated' })
    try {
      expect(server.payments).toBe('simulated')
      const till = await enrolTill(server, f.locationId)
      await buyDownUnder50(server, f, till)
      await server.ctx.idle()
      expect(await ledgerKinds(server, f.alice.accountId)).toEqual(['deposit', 'purchase', 'purchase', 'auto_topup'])
      expect((await accountSummary(server.ctx, f.alice.accountId))!.balance).toBe(10000 - 7500 - 1500 + 20000)
    } finally {
      await server.close()
    }
  })

  it('without a provider, payments are off: a top-up is refused with a reason and /health says so', async () => {
    const server = await startServer({ db, clock })
    try {
      const f = await seedFixture(db, clock)
      expect(server.payments).toBe('off')
      expect(await startDeposit(server.ctx, { accountId: f.alice.accountId, amount: 10000, cardToken: TEST_CARDS.ok, receiptEmail: 'a@example.dk', acceptedTerms: true, idempotencyKey: uniqueSuffix() })).toEqual({
        ok: false,
        reason: 'payments-off',
      })
      const health = await (await fetch(`${server.url}/health`)).json()
      expect(health).toMatchObject({ ok: true, payments: 'off' })
    } finally {
      await server.close()
    }
  })
})

/** A provider that times out for some saved cards (its API is down for them, or the network is). */
class FlakyProvider extends SimulatedProvider {
  readonly failing = new Set<string>()
  override async chargeAgreement(req: ChargeRequest): Promise<ChargeResult> {
    if (this.failing.has(req.agreementId)) throw new Error('provider timeout')
    return super.chargeAgreement(req)
  }
}

describe('the auto top-up queue when the provider fails', () => {
  const provider = new FlakyProvider({ captureDelayMs: 1 })
  const timers = fakeTimers()
  const s = serverSuite({ payments: provider, timers })

  async function withAgreement() {
    const c = await s.canteen()
    const agreement = await createTopupAgreement(s.server.ctx, { accountId: c.f.alice.accountId, cardToken: TEST_CARDS.ok, amount: 20000, idempotencyKey: uniqueSuffix() })
    if (!agreement.ok) throw new Error(agreement.reason)
    return { ...c, agreementId: agreement.value.agreementId }
  }

  it("does not let one account's failing charge hold up the others, and retries it later on a timer", async () => {
    const stuck = await withAgreement()
    const fine = await withAgreement()
    provider.failing.add(stuck.agreementId)

    await buyDownUnder50(s.server, stuck.f, stuck.till)
    await s.server.ctx.idle()
    await buyDownUnder50(s.server, fine.f, fine.till)
    await s.server.ctx.idle()

    // The job queued first threw; the one behind it was charged all the same.
    expect(await ledgerKinds(s.server, fine.f.alice.accountId)).toEqual(['deposit', 'purchase', 'purchase', 'auto_topup'])
    expect(await ledgerKinds(s.server, stuck.f.alice.accountId)).toEqual(['deposit', 'purchase', 'purchase'])
    const { rows } = await s.db.query<{ status: string; attempts: number; last_error: string }>('SELECT status, attempts, last_error FROM topup_jobs WHERE account_id = $1', [
      stuck.f.alice.accountId,
    ])
    expect(rows).toEqual([{ status: 'queued', attempts: 1, last_error: 'provider timeout' }])

    // Still down at the first retry: it waits longer.
    s.clock.advance(retryDelayMs(1))
    timers.advance(retryDelayMs(1))
    await s.server.ctx.idle()
    expect((await s.db.query<{ attempts: number }>('SELECT attempts FROM topup_jobs WHERE account_id = $1', [stuck.f.alice.accountId])).rows[0]!.attempts).toBe(2)

    // The provider is back: the timer's retry charges it, once.
    provider.failing.delete(stuck.agreementId)
    s.clock.advance(retryDelayMs(2))
    timers.advance(retryDelayMs(2))
    await s.server.ctx.idle()
    expect(await ledgerKinds(s.server, stuck.f.alice.accountId)).toEqual(['deposit', 'purchase', 'purchase', 'auto_topup'])
    expect(timers.pending()).toBe(0)
  })
})
