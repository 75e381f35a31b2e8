import m0001 from './0001_init'
import m0002 from './0002_photo_ids'
import m0003 from './0003_pending_effects'
import m0004 from './0004_sale_caps'
import m0005 from './0005_account_note'
import m0006 from './0006_terminal_kind'
import m0007 from './0007_sale_voids'
import m0008 from './0008_cash_sales'
import m0009 from './0009_z_reports'
import m0010 from './0010_orders'
import m0011 from './0011_catalogue_manager'
import m0012 from './0012_account_allergens'
import m0013 from './0013_pickup_time'
import m0014 from './0014_location_cash'

export interface TillMigration {
  version: number
  name: string
  sql: string
  /** Rebuilds a table others reference: run with foreign keys off, checked before commit (db.ts). */
  foreignKeysOff?: true
}

/**
 * Every migration, in order, imported statically (no folder scan at run time, so the bundled
 * Electron main carries them). `user_version` records how many have run. Never edit one that
 * has shipped: add the next number.
 */
export const MIGRATIONS: readonly TillMigration[] = [
  { version: 1, name: '0001_init', sql: m0001 },
  { version: 2, name: '0002_photo_ids', sql: m0002 },
  { version: 3, name: '0003_pending_effects', sql: m0003 },
  { version: 4, name: '0004_sale_caps', sql: m0004 },
  { version: 5, name: '0005_account_note', sql: m0005 },
  { version: 6, name: '0006_terminal_kind', sql: m0006 },
  { version: 7, name: '0007_sale_voids', sql: m0007 },
  { version: 8, name: '0008_cash_sales', sql: m0008, foreignKeysOff: true },
  { version: 9, name: '0009_z_reports', sql: m0009 },
  { version: 10, name: '0010_orders', sql: m0010 },
  { version: 11, name: '0011_catalogue_manager', sql: m0011 },
  { version: 12, name: '0012_account_allergens', sql: m0012 },
  { version: 13, name: '0013_pickup_time', sql: m0013 },
  { version: 14, name: '0014_location_cash', sql: m0014 },
]
