import { describe, expect, it } from 'vitest'
import { amountProblem, bankProblems, canPayNewCardFee, emailLooksValid, kronerOf, payoutAmountProblem, TOP_UP_KR, wholeKronerOf } from './rules'

describe('the kiosk money rules', () => {
  it('read keypad digits as whole kroner and nothing else', () => {
    expect(kronerOf('150')).toBe(150)
    expect(kronerOf('')).toBeNull()
    expect(kronerOf('1.5')).toBeNull()
    expect(kronerOf('-5')).toBeNull()
  })

  it('keep a top-up within 20–2000 kr', () => {
    expect(amountProblem(null, TOP_UP_KR)).toBe('missing')
    expect(amountProblem(0, TOP_UP_KR)).toBe('missing')
    expect(amountProblem(19, TOP_UP_KR)).toBe('too-small')
    expect(amountProblem(20, TOP_UP_KR)).toBeNull()
    expect(amountProblem(2000, TOP_UP_KR)).toBeNull()
    expect(amountProblem(2001, TOP_UP_KR)).toBe('too-large')
  })

  it('want an e-mail address with a domain', () => {
    expect(emailLooksValid('mor@example.dk')).toBe(true)
    expect(emailLooksValid('mor@example')).toBe(false)
    expect(emailLooksValid('mor example.dk')).toBe(false)
  })

  it('name every wrong field of a bank account, with the server’s codes', () => {
    expect(bankProblems({ regNo: '1234', accountNo: '1234567890', name: 'Mor', message: '' })).toEqual([])
    expect(bankProblems({ regNo: '123', accountNo: '12345678901', name: ' ', message: 'x'.repeat(141) })).toEqual([
      'reg-no-invalid',
      'account-no-invalid',
      'name-invalid',
      'message-invalid',
    ])
    expect(bankProblems({ regNo: '12a4', accountNo: '', name: 'x'.repeat(71), message: '' })).toEqual(['reg-no-invalid', 'account-no-invalid', 'name-invalid'])
  })

  it('never pay out more than the balance', () => {
    expect(payoutAmountProblem(10_000, 10_000)).toBeNull()
    expect(payoutAmountProblem(10_100, 10_000)).toBe('amount-above-balance')
    expect(payoutAmountProblem(0, 10_000)).toBe('missing')
    expect(payoutAmountProblem(null, 10_000)).toBe('missing')
  })

  it('offer the balance in whole kroner as the largest payout', () => {
    expect(wholeKronerOf(12_345)).toBe(12_300)
    expect(wholeKronerOf(99)).toBe(0)
    expect(wholeKronerOf(-500)).toBe(0)
  })

  it('order a new card only from 25 kr', () => {
    expect(canPayNewCardFee(2500)).toBe(true)
    expect(canPayNewCardFee(2499)).toBe(false)
  })
})
