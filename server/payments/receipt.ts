/**
 * The receipt a payer gets by e-mail when a top-up is booked: Danish first, English beneath
 * (DESIGN.md), amounts as a Danish receipt writes them, the time in Copenhagen.
 */
import { formatKr } from '../../domain/money'
import type { Mail } from '../platform/mailer'

export interface Receipt {
  paymentId: string
  holderName: string
  amount: number
  /** The account's balance right after the top-up. */
  balance: number
  email: string
  at: Date
}

const copenhagen = (at: Date, locale: string) =>
  new Intl.DateTimeFormat(locale, { timeZone: 'Europe/Copenhagen', dateStyle: 'long', timeStyle: 'short' }).format(at)

export function receiptMail(r: Receipt): Mail {
  const amount = formatKr(r.amount)
  const balance = formatKr(r.balance)
  const text = [
    `Kvittering for indbetaling på kantinekort`,
    ``,
    `Kortholder: ${r.holderName}`,
    `Beløb: ${amount}`,
    `Saldo efter indbetalingen: ${balance}`,
    `Tidspunkt: ${copenhagen(r.at, 'da-DK')}`,
    `Betalings-id: ${r.paymentId}`,
    ``,
    `---`,
    ``,
    `Receipt for a top-up of a canteen card`,
    ``,
    `Card holder: ${r.holderName}`,
    `Amount: ${amount}`,
    `Balance after the top-up: ${balance}`,
    `Time: ${copenhagen(r.at, 'en-GB')}`,
    `Payment id: ${r.paymentId}`,
  ].join('\n')
  return { to: r.email, subject: `Kvittering: indbetaling ${amount} / Receipt: top-up ${amount}`, text, kind: 'receipt', key: `receipt:${r.paymentId}` }
}
