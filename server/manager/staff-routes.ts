/**
 * Staff over HTTP (staff.ts), behind a manager session:
 *
 *   GET  /manager/staff                  → { staff: [{ id, name, roles, locationIds, active }] } (the municipality's)
 *   GET  /manager/staff/:id              → { staff }
 *   POST /manager/staff                  { id?, name, pin, roles, locationIds } → 201 { staff }
 *   PUT  /manager/staff/:id              { name?, roles?, locationIds? } → { staff }
 *   POST /manager/staff/:id/pin          { pin } → 204
 *   POST /manager/staff/:id/retire       → { staff }       POST /manager/staff/:id/reinstate → { staff }
 */
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { StaffRole } from '../../domain/enums'
import { HttpError, parseInput } from '../platform/errors'
import { managerOf } from './auth'
import { NewStaffId } from './create-once'
import { IdParams, answer, type ManagerArea, type Refusals } from './http'
import { createStaff, getStaff, listStaff, resetPin, setActive, updateStaff } from './staff'

const Name = z.string().max(200)
// A PIN's own rule (4–8 digits) is the service's: its refusal says so (pin-invalid).
const Pin = z.string().max(40)
const Roles = z.array(StaffRole).min(1).max(3)
const LocationIds = z.array(z.string().min(1).max(64)).min(1).max(200)

const NewStaffRequest = z.object({ id: NewStaffId.optional(), name: Name, pin: Pin, roles: Roles, locationIds: LocationIds }).strict()
const StaffChangeRequest = z.object({ name: Name.optional(), roles: Roles.optional(), locationIds: LocationIds.optional() }).strict()
const PinRequest = z.object({ pin: Pin }).strict()

const refusals: Refusals = {
  'pin-invalid': () => new HttpError(400, 'pin-invalid', 'a PIN is 4 to 8 digits'),
  'id-taken': () => new HttpError(409, 'id-taken', 'that id is taken: open the form again for a new one'),
  // The tills sign in by PIN alone: two staff of one canteen cannot share one.
  'pin-taken': () => new HttpError(409, 'pin-taken', 'another staff member of that canteen has this PIN: choose another'),
  'name-invalid': () => new HttpError(400, 'name-invalid', 'a name is 1 to 120 characters'),
  'roles-invalid': () => new HttpError(400, 'roles-invalid', 'a staff member has at least one role: cashier, pickup or manager'),
  'locations-invalid': () => new HttpError(400, 'locations-invalid', 'a staff member works at one canteen at least'),
}

/**
 * Giving a PIN answers whether a colleague has it (pin-taken): a few a minute per manager on each
 * of the two routes that take one, so nobody learns a colleague's PIN by trying them all.
 */
export const PIN_CHANGES_PER_MINUTE = 20
const perManager = {
  rateLimit: {
    max: PIN_CHANGES_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => (request.manager ? `manager:${request.manager.staffId}` : request.ip),
  },
}

export const staffRoutes: ManagerArea = async (scope, { ctx }) => {
  scope.get('/manager/staff', async (request) => ({ staff: await listStaff(ctx, managerOf(request)) }))

  scope.get('/manager/staff/:id', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'staff id')
    return { staff: answer(await getStaff(ctx, managerOf(request), id), refusals) }
  })

  scope.post('/manager/staff', { config: perManager }, async (request, reply) => {
    const body = parseInput(NewStaffRequest, request.body, 'new staff member')
    const staff = answer(await createStaff(ctx, managerOf(request), body), refusals)
    return reply.code(201).send({ staff })
  })

  scope.put('/manager/staff/:id', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'staff id')
    const body = parseInput(StaffChangeRequest, request.body, 'staff change')
    return { staff: answer(await updateStaff(ctx, managerOf(request), id, body), refusals) }
  })

  scope.post('/manager/staff/:id/pin', { config: perManager }, async (request, reply) => {
    const { id } = parseInput(IdParams, request.params, 'staff id')
    const body = parseInput(PinRequest, request.body, 'PIN')
    answer(await resetPin(ctx, managerOf(request), id, body.pin), refusals)
    return reply.code(204).send()
  })

  for (const [action, active] of [['retire', false], ['reinstate', true]] as const) {
    scope.post(`/manager/staff/:id/${action}`, async (request) => {
      const { id } = parseInput(IdParams, request.params, 'staff id')
      return { staff: answer(await setActive(ctx, managerOf(request), id, active), refusals) }
    })
  }
}
