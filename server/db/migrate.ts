import { MIGRATIONS, type Migration } from './migrations'
import type { Db } from './types'

interface AppliedRow {
  version: number
  name: string
}

export class UnknownMigrationError extends Error {
  constructor(applied: AppliedRow[]) {
    const list = applied.map((m) => `${m.version}_${m.name}`).join(', ')
    super(`the database has migrations this code does not know (${list}): it was written by a newer server; refusing to start`)
    this.name = 'UnknownMigrationError'
  }
}

/**
 * Applies the pending migrations in order, in one transaction, and records each in
 * schema_migrations. Refuses (throws) when the database holds a migration the code does not know:
 * an older server must not write to a schema it does not understand.
 *
 * The advisory lock makes concurrent starts against one PostgreSQL (several instances, parallel
 * test files) take turns; it is keyed by schema so separate schemas do not wait for each other.
 */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('kantine:migrate:' || current_schema(), 0))`)
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`)
    const { rows: applied } = await tx.query<AppliedRow>('SELECT version, name FROM schema_migrations ORDER BY version')
    const known = new Map(migrations.map((m) => [m.version, m.name]))
    const unknown = applied.filter((a) => known.get(a.version) !== a.name)
    if (unknown.length > 0) throw new UnknownMigrationError(unknown)

    const done = new Set(applied.map((a) => a.version))
    const ran: number[] = []
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue
      await tx.exec(m.sql)
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name])
      ran.push(m.version)
    }
    return ran
  })
}
