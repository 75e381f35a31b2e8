import { openPg } from './pg'
import { openPglite } from './pglite'
import type { Db, OpenDbOptions } from './types'

export type { Db, OpenDbOptions, Sql } from './types'
export { migrate, UnknownMigrationError } from './migrate'
export { MIGRATIONS, type Migration } from './migrations'

/** PGlite in a folder (or in memory without `dataDir`), or a PostgreSQL pool with `url`. */
export function openDb(opts: OpenDbOptions = {}): Promise<Db> {
  return 'url' in opts ? openPg(opts.url, opts.schema) : openPglite(opts.dataDir)
}
