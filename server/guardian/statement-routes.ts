/**
 * Routes of statement.ts.
 *
 *   GET /guardian/accounts/:id/statement?from=YYYY-MM-DD&to=YYYY-MM-DD   (Copenhagen dates, inclusive, ≤ 366 days)
 */
import { z } from 'zod'
import { HttpError, parseInput } from '../platform/errors'
import { AccountParams, answer, type GuardianArea, type Refusals } from './http'
import { MAX_STATEMENT_DAYS, statement } from './statement'
import { guardianOf } from './session'

const refusals: Refusals = {
  'period-invalid': () =>
    new HttpError(400, 'period-invalid', `a period is ?from=YYYY-MM-DD&to=YYYY-MM-DD (Copenhagen dates, both included), from not after to, at most ${MAX_STATEMENT_DAYS} days`),
}

// Missing or malformed dates are statement.ts's to refuse: always period-invalid.
const StatementQuery = z.object({ from: z.string().optional(), to: z.string().optional() })

export const statementRoutes: GuardianArea = async (own, { ctx }) => {
  own.get('/guardian/accounts/:id/statement', async (request) => {
    const { id } = parseInput(AccountParams, request.params, 'account id')
    const query = parseInput(StatementQuery, request.query, 'period')
    return answer(await statement(ctx, guardianOf(request), id, query.from ?? '', query.to ?? ''), refusals)
  })
}
