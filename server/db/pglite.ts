import { PGlite } from '@electric-sql/pglite'
import { OID, parseInt8, parseNumeric } from './numbers'
import type { Db, Sql } from './types'

/** PGlite derives array parsers from the element parsers, so int8[] and numeric[] follow. */
export const PGLITE_PARSERS = { [OID.int8]: parseInt8, [OID.numeric]: parseNumeric }

function wrap(target: { query: PGlite['query']; exec: PGlite['exec'] }): Sql {
  return {
    async query<T>(text: string, params?: unknown[]) {
      const result = await target.query<T>(text, params as unknown[] | undefined)
      return { rows: result.rows }
    },
    async exec(text: string) {
      await target.exec(text)
    },
  }
}

/** `dataDir` undefined: in memory (tests). A folder keeps the database across runs. */
export async function openPglite(dataDir?: string): Promise<Db> {
  return pgliteDb(await PGlite.create(dataDir, { parsers: PGLITE_PARSERS }))
}

/** The server's `Db` over an open PGlite (created with PGLITE_PARSERS). */
export function pgliteDb(pg: PGlite): Db {
  const sql = wrap(pg)
  return {
    kind: 'pglite',
    query: sql.query,
    exec: sql.exec,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    close: () => pg.close(),
  }
}
