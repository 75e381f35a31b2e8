/**
 * Creates that are safe to repeat. The manager's screen chooses the new row's id when the form
 * opens and sends it with the create; a retry after a lost answer (the till's network, a relay
 * timeout) carries the same id and gets the row the first try made, not a second product,
 * category or colleague. Without an id the server chooses one, as before.
 *
 * An id that names a row of another municipality is refused (`id-taken`), never answered with
 * that row: ids are global keys, and a manager sees only their own municipality.
 */
import { z } from 'zod'
import type { Sql } from '../db'

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

/** The ids a screen may choose: the server's own shapes (catalogue.ts, staff.ts). */
export const NewCategoryId = z.string().regex(new RegExp(`^cat-${UUID}$`), 'a new category id is cat-<uuid>')
export const NewProductId = z.string().regex(new RegExp(`^p-${UUID}$`), 'a new product id is p-<uuid>')
export const NewStaffId = z.string().regex(new RegExp(`^${UUID}$`), 'a new staff id is a uuid')

type Table = 'categories' | 'products' | 'staff'

/** Whether the row exists: not at all, in the manager's municipality (made by an earlier try), or in another. */
export async function createdBefore(sql: Sql, table: Table, id: string, municipalityId: string): Promise<'no' | 'ours' | 'taken'> {
  const { rows } = await sql.query<{ municipality_id: string }>(`SELECT municipality_id FROM ${table} WHERE id = $1`, [id])
  const row = rows[0]
  if (!row) return 'no'
  return row.municipality_id === municipalityId ? 'ours' : 'taken'
}
