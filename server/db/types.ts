/**
 * The one database interface the server is written against. Two drivers implement it: PGlite
 * (Postgres in WASM, the embedded default) and a `pg` pool (a real PostgreSQL). Both return
 * int8/numeric columns as JS numbers (safe integers; a larger value throws instead of rounding:
 * money must never be silently wrong).
 */
export interface Sql {
  /** One statement, `$1`-style parameters. */
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>
  /** A script of several statements without parameters (migrations). */
  exec(text: string): Promise<void>
}

export interface Db extends Sql {
  readonly kind: 'pglite' | 'pg'
  /**
   * Runs `fn` in one transaction (READ COMMITTED) on one connection: COMMIT when it resolves,
   * ROLLBACK when it throws. Inside `fn`, use `tx` only: on PGlite the database is a single
   * connection, so a query on `db` from inside `fn` would wait for the transaction forever.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>
  close(): Promise<void>
}

export type OpenDbOptions = { dataDir?: string } | { url: string; schema?: string }
