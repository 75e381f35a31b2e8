import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb } from '../../test/support/server'
import { migrate, type Db } from '../db'
import { receiptMail } from '../payments/receipt'
import { OutboxMailer, createMailer, outboxFor, type Mail, type Mailer } from './mailer'

describe('the mailer, chosen explicitly', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
    await migrate(db)
  })
  afterAll(() => db.close())

  it('sends nothing unless one is chosen; a Mailer given is used as it is', () => {
    expect(createMailer(undefined, db)).toBeNull()
    expect(createMailer('off', db)).toBeNull()
    expect(createMailer('outbox', db)).toBeInstanceOf(OutboxMailer)
    const own: Mailer = { send: async () => {} }
    expect(createMailer(own, db)).toBe(own)
  })

  it('the outbox keeps each mail, and a mail sent twice under one key once', async () => {
    const mailer = new OutboxMailer(db)
    const at = new Date('2026-11-24T11:00:00.000Z')
    const mail: Mail = { to: 'gitte@example.dk', subject: 'Kvittering / Receipt', text: 'Tak\n---\nThanks', kind: 'receipt', key: 'receipt:p1' }
    await mailer.send(mail, at)
    await mailer.send(mail, new Date(at.getTime() + 1000))
    await mailer.send({ ...mail, key: undefined, subject: 'Uden nøgle / No key' }, at)
    await mailer.send({ ...mail, key: undefined, subject: 'Uden nøgle / No key' }, at)
    const mails = await outboxFor(db, 'gitte@example.dk')
    expect(mails.map((m) => m.subject)).toEqual(['Kvittering / Receipt', 'Uden nøgle / No key', 'Uden nøgle / No key'])
    expect(mails[0]).toEqual({ to: 'gitte@example.dk', subject: 'Kvittering / Receipt', text: 'Tak\n---\nThanks', kind: 'receipt', createdAt: at.toISOString() })
    expect(await outboxFor(db, 'nobody@example.dk')).toEqual([])
  })
})

describe('a top-up’s receipt', () => {
  it('is Danish first and English beneath, in kroner as a Danish receipt writes them, at Copenhagen time', () => {
    const mail = receiptMail({ paymentId: 'p-1', holderName: 'Alice Andersen', amount: 123400, balance: 130050, email: 'a@example.dk', at: new Date('2026-11-24T11:05:00.000Z') })
    expect(mail).toMatchObject({ to: 'a@example.dk', kind: 'receipt', key: 'receipt:p-1', subject: 'Kvittering: indbetaling kr. 1.234,00 / Receipt: top-up kr. 1.234,00' })
    const [da, en] = mail.text.split('---')
    expect(da).toMatch(/Kortholder: Alice Andersen/)
    expect(da).toMatch(/Beløb: kr\. 1\.234,00/)
    expect(da).toMatch(/Saldo efter indbetalingen: kr\. 1\.300,50/)
    expect(da).toMatch(/12[.:]05/)
    expect(en).toMatch(/Amount: kr\. 1\.234,00/)
    expect(en).toMatch(/12:05/)
    expect(en).toMatch(/Payment id: p-1/)
  })
})
