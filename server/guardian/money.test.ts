import { describe, expect, it } from 'vitest'
import { CARD_NUMBER } from '../../domain/card'
import { blockAccount } from '../money/accounts'
import { ledgerSum } from '../money/ledger'
import { SimulatedProvider, TEST_CARDS } from '../payments/simulated'
import { outboxFor } from '../platform/mailer'
import { api, pullAll, pushAs, sale, seedFixture, signInGuardian, uniqueSuffix, type Fixture } from '../../test/support/server'
import { serverSuite } from '../../test/support/server-suite'
import { TERMS_VERSION } from './money-terms'

const provider = new SimulatedProvider({ captureDelayMs: 1 })
const s = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false, payments: provider, mailer: 'outbox' })

/** A fresh municipality, a till at its first canteen, and Anna (Alice's guardian, not Bob's) signed in. */
async function anna() {
  const { f, till } = await s.canteen()
  const guardianId = f.data.guardians[0]!.id
  const token = await signInGuardian(s.server, guardianId)
  return { f, till, token, guardianId }
}

const key = () => `key-${uniqueSuffix()}-${uniqueSuffix()}`
const email = () => `anna-${uniqueSuffix().toLowerCase()}@example.dk`

const depositBody = (o: Record<string, unknown> = {}) => ({
  amount: 10000,
  receiptEmail: email(),
  acceptedTermsVersion: TERMS_VERSION,
  cardToken: TEST_CARDS.ok,
  idempotencyKey: key(),
  ...o,
})
const bankPayout = (o: Record<string, unknown> = {}) => ({ kind: 'bank', regNo: '1234', accountNo: '0012345678', name: 'Anna Andersen', message: 'Alices kantinepenge', ...o })

/** Everything of an account that money or its cards could change: compared before and after a refusal. */
async function stateOf(accountId: string) {
  const q = async (sql: string) => (await s.db.query(sql, [accountId])).rows
  return {
    account: await q('SELECT status, balance, topup_status, topup_amount, topup_agreement_id FROM accounts WHERE id = $1'),
    ledger: await q('SELECT id, kind, amount FROM ledger WHERE account_id = $1 ORDER BY id'),
    cards: await q('SELECT number, status FROM cards WHERE account_id = $1 ORDER BY number'),
    payments: await q('SELECT id, status FROM payments WHERE account_id = $1 ORDER BY id'),
    payouts: await q('SELECT id, status FROM payouts WHERE account_id = $1 ORDER BY id'),
    changes: await q(`SELECT count(*)::int AS n FROM changes WHERE entity_id = $1 OR entity_id IN (SELECT number FROM cards WHERE account_id = $1)`),
    audit: await q('SELECT count(*)::int AS n FROM audit_log WHERE entity_id = $1'),
  }
}

const balanceOf = async (accountId: string) => Number((await s.db.query<{ balance: number }>('SELECT balance FROM accounts WHERE id = $1', [accountId])).rows[0]!.balance)
const ledgerKinds = async (accountId: string) =>
  (await s.db.query<{ kind: string; amount: number }>('SELECT kind, amount FROM ledger WHERE account_id = $1 ORDER BY id', [accountId])).rows.map((r) => [r.kind, Number(r.amount)])

/** The balance is the sum of the ledger, always. */
async function expectBalanced(accountId: string, balance: number) {
  expect(await balanceOf(accountId)).toBe(balance)
  expect(Number(await ledgerSum(s.db, accountId))).toBe(balance)
}

/** Runs `fn` (a refused request) and checks that it changed nothing of the account. */
async function unchanged(accountId: string, fn: () => Promise<unknown>) {
  const before = await stateOf(accountId)
  await fn()
  await s.server.ctx.idle()
  expect(await stateOf(accountId)).toEqual(before)
}

/** Alice's balance down to `balance` øre, by a NemKonto payout. */
async function payDownTo(f: Fixture, token: string, balance: number) {
  const r = await api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/payouts`, { token, body: { amount: 10000 - balance, to: { kind: 'nemkonto' }, idempotencyKey: key() } })
  expect(r.status).toBe(201)
}

describe('the payment terms', () => {
  it('are served in full, Danish and English, with the version a request accepts', async () => {
    const { token } = await anna()
    const r = await api(s.server, 'GET', '/guardian/terms', { token })
    expect(r.status).toBe(200)
    expect(r.body.version).toBe(TERMS_VERSION)
    for (const text of [r.body.topUp, r.body.autoTopUp, r.body.order]) {
      expect(text.da.length).toBeGreaterThan(200)
      expect(text.en.length).toBeGreaterThan(200)
    }
    expect(r.body.topUp.da).toMatch(/spærret kantinekort/)
    expect(r.body.autoTopUp.en).toMatch(/cancel it and make a new one/)
    expect(r.body.order.da).toMatch(/trækkes ved bestillingsfristen/)
    expect((await api(s.server, 'GET', '/guardian/terms')).status).toBe(401)
  })
})

describe('a guardian tops up by payment card', () => {
  it('books the money when the provider confirms, mails the receipt, and the till learns the balance', async () => {
    const { f, till, token } = await anna()
    const cursor = (await pullAll(s.server, till)).cursor
    const body = depositBody({ amount: 25000 })
    const r = await api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/deposits`, { token, body })
    expect(r).toEqual({ status: 202, body: { paymentId: expect.any(String), status: 'capture-pending' } })
    await s.server.ctx.idle()
    await expectBalanced(f.alice.accountId, 35000)
    expect((await ledgerKinds(f.alice.accountId)).at(-1)).toEqual(['deposit', 25000])

    const payment = await api(s.server, 'GET', `/guardian/payments/${r.body.paymentId}`, { token })
    expect(payment).toEqual({
      status: 200,
      body: { id: r.body.paymentId, accountId: f.alice.accountId, kind: 'deposit', amount: 25000, status: 'captured', failure: null, createdAt: s.clock.now().toISOString() },
    })
    const mails = await outboxFor(s.db, body.receiptEmail)
    expect(mails).toHaveLength(1)
    expect(mails[0]).toMatchObject({ kind: 'receipt', subject: expect.stringContaining('kr. 250,00') })
    expect(mails[0]!.text).toMatch(/Kvittering[\s\S]*Alice Andersen[\s\S]*kr\. 250,00[\s\S]*kr\. 350,00[\s\S]*Receipt/)
    expect(mails[0]!.text).toContain(r.body.paymentId)

    const { changes } = await pullAll(s.server, till, cursor)
    expect(changes).toContainEqual(expect.objectContaining({ entity: 'account', id: f.alice.accountId, data: expect.objectContaining({ balance: 35000 }) }))
  })

  it('answers a retried request with the first answer, and pays, books and mails once', async () => {
    const { f, token } = await anna()
    const body = depositBody()
    const first = await api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/deposits`, { token, body })
    const again = await api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/deposits`, { token, body })
    expect(again.body.paymentId).toBe(first.body.paymentId)
    await s.server.ctx.idle()
    const later = await api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/deposits`, { token, body })
    expect(later).toEqual({ status: 202, body: { paymentId: first.body.paymentId, status: 'captured' } })
    await s.server.ctx.idle()
    expect((await stateOf(f.alice.accountId)).payments).toHaveLength(1)
    expect((await ledgerKinds(f.alice.accountId)).filter(([k]) => k === 'deposit')).toHaveLength(2) // the fixture's and this one
    await expectBalanced(f.alice.accountId, 20000)
    expect(await outboxFor(s.db, body.receiptEmail)).toHaveLength(1)
  })

  it('refuses a blocked account with the guide’s explanation, and does not ask the provider', async () => {
    const { f, token } = await anna()
    await blockAccount(s.server.ctx, f.alice.accountId)
    await unchanged(f.alice.accountId, async () => {
      const r = await api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/deposits`, { token, body: depositBody() })
      expect(r).toEqual({ status: 409, body: { error: 'account-blocked', message: expect.stringMatching(/blocked card takes no deposits.*unblock it first/) } })
    })
  })

  it('refuses amounts outside 20–2,000 whole kroner, a bad e-mail and terms not accepted, and changes nothing', async () => {
    const { f, token } = await anna()
    const tries: [Record<string, unknown>, string][] = [
      [{ amount: 1900 }, 'amount-invalid'],
      [{ amount: 200100 }, 'amount-invalid'],
      [{ amount: 5050 }, 'amount-invalid'],
      [{ amount: 0 }, 'amount-invalid'],
      [{ receiptEmail: 'anna at example.dk' }, 'email-invalid'],
      [{ acceptedTermsVersion: '2020-01-01' }, 'terms-not-accepted'],
    ]
    for (const [bad, error] of tries) {
      await unchanged(f.alice.accountId, async () => {
        const r = await api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/deposits`, { token, body: depositBody(bad) })
        expect(r).toMatchObject({ status: 400, body: { error } })
      })
    }
    // Bounds are inclusive.
    for (const amount of [2000, 200000]) expect((await api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/deposits`, { token, body: depositBody({ amount }) })).status).toBe(202)
  })

  it('refuses declined payment cards with 402 and the reason, books nothing, and the payment says why', async () => {
    const { f, token } = await anna()
    const cards = [
      [TEST_CARDS.expired, 'card-expired'],
      [TEST_CARDS.blocked, 'card-blocked'],
      [TEST_CARDS.insufficientFunds, 'insufficient-funds'],
      [TEST_CARDS.declined, 'card-declined'],
    ] as const
    for (const [cardToken, error] of cards) {
      const r = await api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/deposits`, { token, body: depositBody({ cardToken }) })
      expect(r).toMatchObject({ status: 402, body: { error } })
    }
    await s.server.ctx.idle()
    await expectBalanced(f.alice.accountId, 10000)
    const { rows } = await s.db.query<{ id: string }>('SELECT id FROM payments WHERE account_id = $1 ORDER BY created_at LIMIT 1', [f.alice.accountId])
    expect((await api(s.server, 'GET', `/guardian/payments/${rows[0]!.id}`, { token })).body).toMatchObject({ status: 'declined', failure: expect.any(String) })
  })

  it('answers an unknown or another family’s payment alike', async () => {
    const { f, token } = await anna()
    const other = await anna()
    const r = await api(s.server, 'POST', `/guardian/accounts/${other.f.alice.accountId}/deposits`, { token: other.token, body: depositBody() })
    for (const id of [r.body.paymentId, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      expect(await api(s.server, 'GET', `/guardian/payments/${id}`, { token })).toEqual({ status: 404, body: { error: 'payment-unknown', message: expect.any(String) } })
    }
    expect(f.alice.accountId).not.toBe(other.f.alice.accountId)
  })
})

describe('automatic top-up', () => {
  const autoBody = (o: Record<string, unknown> = {}) => ({ amount: 20000, cardToken: TEST_CARDS.ok, acceptedTermsVersion: TERMS_VERSION, idempotencyKey: key(), ...o })
  const path = (f: Fixture) => `/guardian/accounts/${f.alice.accountId}/auto-topup`

  it('is created, seen, retried safely, refused while one exists, and cancelled', async () => {
    const { f, token, guardianId } = await anna()
    expect(await api(s.server, 'GET', path(f), { token })).toEqual({ status: 200, body: { autoTopup: null } })
    const body = autoBody()
    const created = await api(s.server, 'PUT', path(f), { token, body })
    const active = { amount: 20000, status: 'active', since: s.clock.now().toISOString(), stoppedBecause: null, remedy: null }
    expect(created).toEqual({ status: 200, body: { autoTopup: active } })
    expect(await api(s.server, 'PUT', path(f), { token, body })).toEqual(created)
    expect(await api(s.server, 'GET', path(f), { token })).toEqual(created)
    const audits = await s.db.query<{ actor: string }>(`SELECT actor FROM audit_log WHERE entity_id = $1 AND action = 'auto-topup.agreement'`, [f.alice.accountId])
    expect(audits.rows).toEqual([{ actor: `guardian:${guardianId}` }])

    await unchanged(f.alice.accountId, async () => {
      expect(await api(s.server, 'PUT', path(f), { token, body: autoBody({ amount: 30000 }) })).toMatchObject({ status: 409, body: { error: 'auto-topup-exists' } })
    })
    const cancelled = await api(s.server, 'DELETE', path(f), { token })
    expect(cancelled).toEqual({ status: 200, body: { autoTopup: { ...active, status: 'cancelled' } } })
    await unchanged(f.alice.accountId, async () => {
      expect(await api(s.server, 'DELETE', path(f), { token })).toMatchObject({ status: 404, body: { error: 'auto-topup-none' } })
    })
    expect(await api(s.server, 'PUT', path(f), { token, body: autoBody({ amount: 5000 }) })).toMatchObject({ status: 200, body: { autoTopup: { amount: 5000, status: 'active' } } })
  })

  it('refuses amounts outside 50–1,000 whole kroner, old terms, a declined card and a blocked account, and saves nothing', async () => {
    const { f, token } = await anna()
    const tries: [Record<string, unknown>, number, string][] = [
      [{ amount: 4900 }, 400, 'amount-invalid'],
      [{ amount: 100100 }, 400, 'amount-invalid'],
      [{ amount: 7550 }, 400, 'amount-invalid'],
      [{ acceptedTermsVersion: 'old' }, 400, 'terms-not-accepted'],
      [{ cardToken: TEST_CARDS.expired }, 402, 'card-expired'],
      [{ cardToken: TEST_CARDS.insufficientFunds }, 402, 'insufficient-funds'],
    ]
    for (const [bad, status, error] of tries) {
      await unchanged(f.alice.accountId, async () => {
        expect(await api(s.server, 'PUT', path(f), { token, body: autoBody(bad) })).toMatchObject({ status, body: { error } })
      })
    }
    await blockAccount(s.server.ctx, f.alice.accountId)
    await unchanged(f.alice.accountId, async () => {
      expect(await api(s.server, 'PUT', path(f), { token, body: autoBody() })).toMatchObject({ status: 409, body: { error: 'account-blocked' } })
    })
  })

  it('says why it stopped (the saved card expired) and the remedy; cancel and create anew works', async () => {
    const { f, till, token } = await anna()
    const cardToken = `tok_visa_${uniqueSuffix()}`
    expect((await api(s.server, 'PUT', path(f), { token, body: autoBody({ cardToken }) })).status).toBe(200)
    provider.setCardState(cardToken, 'card-expired')
    await pushAs(s.server, till, [sale(f, 1, { lines: [{ ...f.products.bun, qty: 6 }] }), sale(f, 2)])
    await s.server.ctx.idle()
    const stopped = await api(s.server, 'GET', path(f), { token })
    expect(stopped.body).toEqual({ autoTopup: { amount: 20000, status: 'failed', since: expect.any(String), stoppedBecause: 'card-expired', remedy: 'cancel-and-create' } })
    expect((await api(s.server, 'PUT', path(f), { token, body: autoBody() })).body.error).toBe('auto-topup-exists')
    expect((await api(s.server, 'DELETE', path(f), { token })).body.autoTopup).toMatchObject({ status: 'cancelled', stoppedBecause: null, remedy: null })
    expect((await api(s.server, 'PUT', path(f), { token, body: autoBody() })).body.autoTopup).toMatchObject({ status: 'active', stoppedBecause: null })
  })

  it('names the blocked canteen card while the account is blocked', async () => {
    const { f, token } = await anna()
    expect((await api(s.server, 'PUT', path(f), { token, body: autoBody() })).status).toBe(200)
    await blockAccount(s.server.ctx, f.alice.accountId)
    expect((await api(s.server, 'GET', path(f), { token })).body.autoTopup).toMatchObject({ status: 'active', stoppedBecause: 'account-blocked', remedy: null })
  })
})

describe('payouts', () => {
  const path = (f: Fixture) => `/guardian/accounts/${f.alice.accountId}/payouts`

  it('to a bank account: the money leaves the ledger at once, the payout waits as pending; a retry pays once', async () => {
    const { f, till, token, guardianId } = await anna()
    const cursor = (await pullAll(s.server, till)).cursor
    const body = { amount: 4000, to: bankPayout(), idempotencyKey: key() }
    const r = await api(s.server, 'POST', path(f), { token, body })
    const payout = {
      id: expect.any(String),
      amount: 4000,
      status: 'pending',
      to: { kind: 'bank', regNo: '1234', accountNo: '0012345678', name: 'Anna Andersen', message: 'Alices kantinepenge' },
      createdAt: s.clock.now().toISOString(),
      settledAt: null,
    }
    expect(r).toEqual({ status: 201, body: { payout, balance: 6000 } })
    expect(await api(s.server, 'POST', path(f), { token, body })).toEqual(r)
    await expectBalanced(f.alice.accountId, 6000)
    expect((await ledgerKinds(f.alice.accountId)).at(-1)).toEqual(['payout', -4000])
    expect(await api(s.server, 'GET', path(f), { token })).toEqual({ status: 200, body: { payouts: [r.body.payout] } })
    const { changes } = await pullAll(s.server, till, cursor)
    expect(changes).toContainEqual(expect.objectContaining({ entity: 'account', id: f.alice.accountId, data: expect.objectContaining({ balance: 6000 }) }))
    const audits = await s.db.query<{ actor: string }>(`SELECT actor FROM audit_log WHERE entity_id = $1 AND action = 'account.payout'`, [f.alice.accountId])
    expect(audits.rows).toEqual([{ actor: `guardian:${guardianId}` }])
  })

  it('to the NemKonto, up to the whole balance', async () => {
    const { f, token } = await anna()
    const r = await api(s.server, 'POST', path(f), { token, body: { amount: 10000, to: { kind: 'nemkonto' }, idempotencyKey: key() } })
    expect(r).toMatchObject({ status: 201, body: { payout: { amount: 10000, status: 'pending', to: { kind: 'nemkonto' } }, balance: 0 } })
    await expectBalanced(f.alice.accountId, 0)
  })

  it('refuses more than the balance, a malformed reg. or account number, a bad name or amount, and changes nothing', async () => {
    const { f, token } = await anna()
    const tries: [Record<string, unknown>, number, string][] = [
      [{ amount: 10100 }, 409, 'amount-above-balance'],
      [{ amount: 0 }, 400, 'amount-invalid'],
      [{ amount: -500 }, 400, 'amount-invalid'],
      [{ amount: 1050 }, 400, 'amount-invalid'],
      [{ to: bankPayout({ regNo: '123' }) }, 400, 'reg-no-invalid'],
      [{ to: bankPayout({ regNo: '12345' }) }, 400, 'reg-no-invalid'],
      [{ to: bankPayout({ regNo: '12a4' }) }, 400, 'reg-no-invalid'],
      [{ to: bankPayout({ accountNo: '12345678901' }) }, 400, 'account-no-invalid'],
      [{ to: bankPayout({ accountNo: '' }) }, 400, 'account-no-invalid'],
      [{ to: bankPayout({ accountNo: '1234-5678' }) }, 400, 'account-no-invalid'],
      [{ to: bankPayout({ name: '  ' }) }, 400, 'name-invalid'],
      [{ to: bankPayout({ name: 'x'.repeat(71) }) }, 400, 'name-invalid'],
      [{ to: bankPayout({ message: 'y'.repeat(141) }) }, 400, 'message-invalid'],
    ]
    for (const [bad, status, error] of tries) {
      await unchanged(f.alice.accountId, async () => {
        const r = await api(s.server, 'POST', path(f), { token, body: { amount: 5000, to: bankPayout(), idempotencyKey: key(), ...bad } })
        expect(r).toMatchObject({ status, body: { error } })
      })
    }
    await unchanged(f.alice.accountId, async () => {
      expect((await api(s.server, 'POST', path(f), { token, body: { amount: 5000, to: { kind: 'bank', regNo: '1234' }, idempotencyKey: key() } })).status).toBe(400)
    })
  })

  it('the back office lists the pending payouts of its municipality and settles them', async () => {
    const { f, token } = await anna()
    const other = await seedFixture(s.db, s.clock)
    const r = await api(s.server, 'POST', path(f), { token, body: { amount: 3000, to: bankPayout(), idempotencyKey: key() } })
    const id = r.body.payout.id
    const admin = s.server.adminToken
    const listed = await api(s.server, 'GET', `/admin/payouts?status=pending&municipalityId=${f.municipalityId}`, { token: admin })
    expect(listed).toEqual({
      status: 200,
      body: { municipalityId: f.municipalityId, payouts: [{ ...r.body.payout, accountId: f.alice.accountId, holderName: 'Alice Andersen', municipalityId: f.municipalityId }] },
    })
    const tokenOf = async (municipalityId: string) =>
      (await api(s.server, 'POST', '/admin/tokens', { token: admin, body: { person: 'Kasper Kommune', municipalityId } })).body.token as string
    const otherAdmin = await tokenOf(other.municipalityId)
    await unchanged(f.alice.accountId, async () => {
      expect(await api(s.server, 'POST', `/admin/payouts/${id}/settle`, { token: otherAdmin })).toMatchObject({ status: 404, body: { error: 'payout-unknown' } })
      expect((await api(s.server, 'GET', `/admin/payouts?municipalityId=${f.municipalityId}`, { token: otherAdmin })).status).toBe(404)
    })
    expect((await api(s.server, 'GET', `/admin/payouts`, { token: otherAdmin })).body.payouts).toEqual([])

    const ownAdmin = await tokenOf(f.municipalityId)
    const settled = await api(s.server, 'POST', `/admin/payouts/${id}/settle`, { token: ownAdmin })
    expect(settled).toEqual({ status: 200, body: { payout: { ...r.body.payout, status: 'settled', settledAt: s.clock.now().toISOString() } } })
    expect(await api(s.server, 'POST', `/admin/payouts/${id}/settle`, { token: ownAdmin })).toMatchObject({ status: 409, body: { error: 'payout-not-pending' } })
    expect((await api(s.server, 'GET', `/admin/payouts?status=pending`, { token: ownAdmin })).body.payouts).toEqual([])
    expect((await api(s.server, 'GET', path(f), { token })).body.payouts[0]).toMatchObject({ status: 'settled' })
    // Settling moves no money: it left at the request.
    await expectBalanced(f.alice.accountId, 7000)
  })
})

describe('a new card', () => {
  const path = (f: Fixture) => `/guardian/accounts/${f.alice.accountId}/cards`

  it('costs 25 kr, replaces the old card, and the new number buys at a till while the old one is an old card', async () => {
    const { f, till, token } = await anna()
    const cursor = (await pullAll(s.server, till)).cursor
    const body = { idempotencyKey: key() }
    const r = await api(s.server, 'POST', path(f), { token, body })
    expect(r.status).toBe(201)
    const number = r.body.newCard.number as string
    expect(number).toMatch(CARD_NUMBER)
    expect(r.body.account).toMatchObject({ id: f.alice.accountId, balance: 7500 })
    expect(r.body.account.cards).toEqual(
      expect.arrayContaining([
        { number: f.alice.oldCard, status: 'replaced' },
        { number: f.alice.card, status: 'replaced' },
        { number, status: 'active' },
      ]),
    )
    expect(r.body.account.cards).toHaveLength(3)
    // A retry answers the same card and charges once.
    expect(await api(s.server, 'POST', path(f), { token, body })).toMatchObject({ status: 201, body: { newCard: { number }, account: { balance: 7500 } } })
    expect((await ledgerKinds(f.alice.accountId)).filter(([k]) => k === 'fee')).toEqual([['fee', -2500]])
    await expectBalanced(f.alice.accountId, 7500)

    const { changes } = await pullAll(s.server, till, cursor)
    const cardRows = changes.filter((c) => c.entity === 'card')
    expect(cardRows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: f.alice.card, data: { accountId: f.alice.accountId, status: 'replaced' } }),
        expect.objectContaining({ id: number, data: { accountId: f.alice.accountId, status: 'active' } }),
      ]),
    )
    const pushed = await pushAs(s.server, till, [sale(f, 1, { card: number }), sale(f, 2, { card: f.alice.card })])
    expect(pushed.body.results.map((x: { status: string; flags: string[] }) => [x.status, x.flags])).toEqual([
      ['applied', []],
      ['applied', ['old-card']],
    ])
    await expectBalanced(f.alice.accountId, 7500 - 3000)
  })

  it('is refused below 25 kr, and nothing changes', async () => {
    const { f, token } = await anna()
    await payDownTo(f, token, 2400)
    await unchanged(f.alice.accountId, async () => {
      expect(await api(s.server, 'POST', path(f), { token, body: { idempotencyKey: key() } })).toMatchObject({ status: 409, body: { error: 'balance-below-fee' } })
    })
  })

  it('at exactly 25 kr leaves a balance of 0', async () => {
    const { f, token } = await anna()
    await payDownTo(f, token, 2500)
    expect(await api(s.server, 'POST', path(f), { token, body: { idempotencyKey: key() } })).toMatchObject({ status: 201, body: { account: { balance: 0 } } })
  })
})

describe('an account that is not the guardian’s', () => {
  it('answers every money route 404 account-unknown, by id and by card number, and changes nothing', async () => {
    const { f, token } = await anna()
    const other = await seedFixture(s.db, s.clock)
    // Bob (same municipality, not Anna's), another municipality's Alice, card numbers, and no account at all.
    const targets = [
      [f.bob.accountId, f.bob.accountId],
      [other.alice.accountId, other.alice.accountId],
      [f.bob.accountId, f.bob.card],
      [other.alice.accountId, other.alice.card],
      [f.alice.accountId, f.alice.card],
      [f.bob.accountId, 'acc-nobody'],
    ] as const
    const routes = (id: string): [string, string, unknown?][] => [
      ['POST', `/guardian/accounts/${id}/deposits`, depositBody()],
      ['GET', `/guardian/accounts/${id}/auto-topup`],
      ['PUT', `/guardian/accounts/${id}/auto-topup`, { amount: 20000, cardToken: TEST_CARDS.ok, acceptedTermsVersion: TERMS_VERSION, idempotencyKey: key() }],
      ['DELETE', `/guardian/accounts/${id}/auto-topup`],
      ['POST', `/guardian/accounts/${id}/payouts`, { amount: 1000, to: { kind: 'nemkonto' }, idempotencyKey: key() }],
      ['GET', `/guardian/accounts/${id}/payouts`],
      ['POST', `/guardian/accounts/${id}/cards`, { idempotencyKey: key() }],
    ]
    // Bob has an agreement, so a cancel would have something to cancel.
    await s.db.query(`UPDATE accounts SET topup_agreement_id = 'agr-x', topup_amount = 20000, topup_status = 'active' WHERE id = $1`, [f.bob.accountId])
    for (const [accountId, asId] of targets) {
      await unchanged(accountId, async () => {
        for (const [method, url, body] of routes(asId)) {
          const r = await api(s.server, method, url, { token, body })
          expect({ method, url, ...r }).toEqual({ method, url, status: 404, body: { error: 'account-unknown', message: 'no such account among yours' } })
        }
      })
    }
  })
})

describe('a kiosk’s money and a till’s sale on the same account at once', () => {
  it('never race: every movement is booked once and the balance is the ledger’s sum', async () => {
    const { f, till, token } = await anna()
    await Promise.all([
      api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/payouts`, { token, body: { amount: 2000, to: { kind: 'nemkonto' }, idempotencyKey: key() } }),
      pushAs(s.server, till, [sale(f, 1), sale(f, 2)]),
      api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/cards`, { token, body: { idempotencyKey: key() } }),
      api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/deposits`, { token, body: depositBody({ amount: 5000 }) }),
    ])
    await s.server.ctx.idle()
    await expectBalanced(f.alice.accountId, 10000 - 2000 - 3000 - 2500 + 5000)
  })
})

describe('payments off', () => {
  const off = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false })
  it('refuses a top-up and an agreement with 503, and changes nothing', async () => {
    const { f } = await off.canteen()
    const token = await signInGuardian(off.server, f.data.guardians[0]!.id)
    const r = await api(off.server, 'POST', `/guardian/accounts/${f.alice.accountId}/deposits`, { token, body: depositBody() })
    expect(r).toMatchObject({ status: 503, body: { error: 'payments-off' } })
    const a = await api(off.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/auto-topup`, {
      token,
      body: { amount: 20000, cardToken: TEST_CARDS.ok, acceptedTermsVersion: TERMS_VERSION, idempotencyKey: key() },
    })
    expect(a).toMatchObject({ status: 503, body: { error: 'payments-off' } })
    expect((await off.db.query('SELECT 1 FROM payments WHERE account_id = $1', [f.alice.accountId])).rows).toEqual([])
    expect((await off.db.query<{ topup_status: string | null }>('SELECT topup_status FROM accounts WHERE id = $1', [f.alice.accountId])).rows).toEqual([{ topup_status: null }])
  })
})
