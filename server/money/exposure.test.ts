import { describe, expect, it } from 'vitest'
import { serverSuite } from '../../test/support/server-suite'
import { enrolTill, pushAs, sale } from '../../test/support/server'
import { offlineExposure } from './exposure'

describe('the offline exposure report', () => {
  const s = serverSuite()

  it('shows, per card, the offline sales that took it below zero, by how many tills, and what they lent', async () => {
    const { f, till } = await s.canteen('Kasse 1')
    const other = await enrolTill(s.server, f.locationId, 'Kasse 2')
    const colas = (n: number) => [{ ...f.products.cola, qty: n }]
    // Alice has 100 kr. Two tills offline, each from its own copy of her balance: 60 + 60 kr at one, 60 kr at the other.
    await pushAs(s.server, till, [sale(f, 1, { lines: colas(3), offline: true }), sale(f, 2, { lines: colas(3), offline: true })])
    await pushAs(s.server, other, [sale(f, 1, { lines: colas(3), offline: true })])
    // Bob goes below zero online (a rule the till could not yet know): not an offline exposure.
    await pushAs(s.server, till, [sale(f, 3, { card: f.bob.card, accountId: f.bob.accountId, lines: colas(2) })])

    const report = await offlineExposure(s.db, f.municipalityId)
    expect(report).toHaveLength(1)
    expect(report[0]).toMatchObject({ accountId: f.alice.accountId, balance: 10000 - 18000, tills: 2, amount: 2000 + 6000 })
    expect(report[0]!.sales.map((x) => [x.total, x.lent])).toEqual([
      [6000, 2000],
      [6000, 6000],
    ])
    expect(new Set(report[0]!.sales.map((x) => x.terminalId))).toEqual(new Set([till.terminalId, other.terminalId]))
  })

  it('is empty for a municipality whose tills never lent a card money offline', async () => {
    const { f, till } = await s.canteen()
    await pushAs(s.server, till, [sale(f, 1, { offline: true })])
    expect(await offlineExposure(s.db, f.municipalityId)).toEqual([])
  })
})
