/**
 * The server's database for the benchmarks: the same PGlite `Db` that server/db/pglite.ts opens
 * (same parsers, same wrapper: keep the two in step), plus what the server's `openDb` does not
 * offer: start from a dumped data folder, and dump one. Loading 50,000 holders costs a minute or
 * two on this machine and is not what is measured, so a loaded database is cached as a tarball
 * in the OS temp folder, keyed by the code and data that shape it (bench/world.ts).
 */
import { PGlite } from '@electric-sql/pglite'
import { OID, parseInt8, parseNumeric } from '../server/db/numbers'
import type { Db, Sql } from '../server/db'

const parsers = { [OID.int8]: parseInt8, [OID.numeric]: parseNumeric }

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

export interface BenchPglite {
  db: Db
  /** An uncompressed tarball of the data folder, for `openBenchPglite({ load })`. */
  dump(): Promise<Blob>
}

/** `dataDir` undefined: in memory. `load`: start from a dump. */
export async function openBenchPglite(opts: { dataDir?: string; load?: Blob } = {}): Promise<BenchPglite> {
  const pg = await PGlite.create(opts.dataDir, { parsers, ...(opts.load ? { loadDataDir: opts.load } : {}) })
  const sql = wrap(pg)
  return {
    db: {
      kind: 'pglite',
      query: sql.query,
      exec: sql.exec,
      transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
      close: () => pg.close(),
    },
    // CHECKPOINT first: without it the dump's control file still holds the next xid of the last
    // checkpoint, and a restored database hands out xids again that committed rows already carry.
    dump: async () => {
      await pg.exec('CHECKPOINT')
      return pg.dumpDataDir('none')
    },
  }
}
