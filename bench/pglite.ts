/**
 * The server's database for the benchmarks: the same PGlite `Db` that server/db/pglite.ts opens
 * (pgliteDb), plus what the server's `openDb` does not
 * offer: start from a dumped data folder, and dump one. Loading 50,000 holders costs a minute or
 * two on this machine and is not what is measured, so a loaded database is cached as a tarball
 * in the OS temp folder, keyed by the code and data that shape it (bench/world.ts).
 */
import { PGlite } from '@electric-sql/pglite'
import type { Db } from '../server/db'
import { PGLITE_PARSERS, pgliteDb } from '../server/db/pglite'

export interface BenchPglite {
  db: Db
  /** An uncompressed tarball of the data folder, for `openBenchPglite({ load })`. */
  dump(): Promise<Blob>
}

/** `dataDir` undefined: in memory. `load`: start from a dump. */
export async function openBenchPglite(opts: { dataDir?: string; load?: Blob } = {}): Promise<BenchPglite> {
  const pg = await PGlite.create(opts.dataDir, { parsers: PGLITE_PARSERS, ...(opts.load ? { loadDataDir: opts.load } : {}) })
  return {
    db: pgliteDb(pg),
    // CHECKPOINT first: without it the dump's control file still holds the next xid of the last
    // checkpoint, and a restored database hands out xids again that committed rows already carry.
    dump: async () => {
      await pg.exec('CHECKPOINT')
      return pg.dumpDataDir('none')
    },
  }
}
