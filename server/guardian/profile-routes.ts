/**
 * Routes of profile.ts: the note to the canteen staff, unlinking an account, and the
 * municipality's catalogue for the settings screens.
 *
 *   GET    /guardian/catalog                  { categories: [{id,name}], locations: [{id,name}] }
 *   PUT    /guardian/accounts/:id/note        { note: string | null } → GuardianAccount
 *   DELETE /guardian/accounts/:id             204: this guardian no longer manages the account
 */
import { z } from 'zod'
import { HttpError, parseInput } from '../platform/errors'
import { AccountParams, answer, type GuardianArea, type Refusals } from './http'
import { catalog, NOTE_MAX, setNote, unlinkAccount } from './profile'
import { guardianOf } from './session'

const refusals: Refusals = {
  'note-invalid': () => new HttpError(400, 'note-invalid', `a note is at most ${NOTE_MAX} characters, on one line, without control characters`),
}

// Generous here: the length that counts is checked (in characters, trimmed) by normalizeNote, which answers note-invalid.
const NoteRequest = z.object({ note: z.string().max(10_000).nullable() }).strict()

export const profileRoutes: GuardianArea = async (own, { ctx }) => {
  own.get('/guardian/catalog', async (request) => catalog(ctx, guardianOf(request)))

  own.put('/guardian/accounts/:id/note', async (request) => {
    const { id } = parseInput(AccountParams, request.params, 'account id')
    const body = parseInput(NoteRequest, request.body, 'note')
    return answer(await setNote(ctx, guardianOf(request), id, body.note), refusals)
  })

  own.delete('/guardian/accounts/:id', async (request, reply) => {
    const { id } = parseInput(AccountParams, request.params, 'account id')
    answer(await unlinkAccount(ctx, guardianOf(request), id), refusals)
    return reply.code(204).send()
  })
}
