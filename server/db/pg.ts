import pg from 'pg'
import { OID, parseInt8, parseNumberArray, parseNumeric } from './numbers'
import type { Db, Sql } from './types'

const overrides = new Map<number, (text: string) => unknown>([
  [OID.int8, parseInt8],
  [OID.numeric, parseNumeric],
  [OID.int8Array, (t) => parseNumberArray(t, parseInt8)],
  [OID.numericArray, (t) => parseNumberArray(t, parseNumeric)],
])

/** Per pool, not `pg.types.setTypeParser`: other code in the process may use pg differently. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (format !== 'binary') {
      const parse = overrides.get(oid)
      if (parse) return parse
    }
    return pg.types.getTypeParser(oid, format)
  },
} as pg.CustomTypesConfig

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/
export const IDLE_IN_TRANSACTION_MS = 30_000

function wrap(client: pg.Pool | pg.PoolClient): Sql {
  return {
    async query<T>(text: string, params?: unknown[]) {
      const result = await client.query(text, params)
      return { rows: result.rows as T[] }
    },
    async exec(text: string) {
      // Without parameters pg uses the simple query protocol, which runs several statements.
      await client.query(text)
    },
  }
}

/**
 * A `schema` isolates one user of a shared database (tests): it is created if missing and put
 * first in every connection's search_path at connection start-up.
 */
export async function openPg(url: string, schema?: string): Promise<Db> {
  if (schema !== undefined) {
    if (!IDENTIFIER.test(schema)) throw new Error(`openDb: invalid schema name ${JSON.stringify(schema)}`)
    const setup = new pg.Client({ connectionString: url })
    await setup.connect()
    try {
      await setup.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
    } finally {
      await setup.end()
    }
  }
  // A transaction of ours left open (a bug, a hung await) would hold back every till's pull
  // (sync/pull.ts): Postgres ends it after 30 s instead.
  const settings = [`-c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS}`]
  if (schema !== undefined) settings.push(`-c search_path=${schema},public`)
  const pool = new pg.Pool({ connectionString: url, types, options: settings.join(' ') })
  // An idle client that loses its connection emits here; without a listener it would crash the process.
  pool.on('error', () => {})
  const sql = wrap(pool)
  return {
    kind: 'pg',
    query: sql.query,
    exec: sql.exec,
    async transaction(fn) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await fn(wrap(client))
        await client.query('COMMIT')
        client.release()
        return result
      } catch (error) {
        try {
          await client.query('ROLLBACK')
          client.release()
        } catch (rollbackError) {
          client.release(rollbackError as Error) // a broken connection is destroyed, not reused
        }
        throw error
      }
    },
    close: () => pool.end(),
  }
}
