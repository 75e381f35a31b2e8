import type { Db } from './db'

export interface StaffRow {
  id: string
  name: string
  pinHash: string
  roles: ('cashier' | 'pickup' | 'manager')[]
}

/** Active staff who may work at this canteen (all active staff if the till has no location yet). */
export function staffAt(db: Db, locationId: string | null): StaffRow[] {
  const rows = db.prepare('SELECT id, name, pin_hash, roles, location_ids FROM staff WHERE active = 1 ORDER BY name').all() as {
    id: string
    name: string
    pin_hash: string
    roles: string
    location_ids: string
  }[]
  return rows
    .filter((r) => !locationId || (JSON.parse(r.location_ids) as string[]).includes(locationId))
    .map((r) => ({ id: r.id, name: r.name, pinHash: r.pin_hash, roles: JSON.parse(r.roles) as StaffRow['roles'] }))
}

export function locationName(db: Db, id: string): string | null {
  const row = db.prepare('SELECT name FROM locations WHERE id = ?').get(id) as { name: string } | undefined
  return row?.name ?? null
}
