/**
 * The set-up most server test files share: a fresh database (PGlite, or the PostgreSQL of
 * KANTINE_TEST_DATABASE_URL), a server on it with a test clock, and a fresh municipality with a
 * till for each story. For test files only: it registers Vitest hooks.
 */
import { afterAll, beforeAll } from 'vitest'
import { startServer, type RunningServer, type ServerOptions } from '../../server/app'
import type { Db } from '../../server/db'
import { enrolTill, openTestDb, seedFixture, testClock, type Fixture, type TestClock, type Till } from './server'

export interface ServerSuite {
  readonly db: Db
  readonly server: RunningServer
  readonly clock: TestClock
  /** A fresh municipality (fixture) and a till at its first canteen: each story starts from known balances. */
  canteen(tillName?: string): Promise<{ f: Fixture; till: Till }>
}

export function serverSuite(opts: Omit<ServerOptions, 'db' | 'clock'> = {}): ServerSuite {
  const clock = testClock()
  let db: Db | undefined
  let server: RunningServer | undefined
  beforeAll(async () => {
    db = await openTestDb()
    server = await startServer({ ...opts, db, clock })
  })
  afterAll(async () => {
    await server?.close()
    await db?.close()
  })
  const suite: ServerSuite = {
    get db() {
      if (!db) throw new Error('serverSuite: the database is opened in beforeAll')
      return db
    },
    get server() {
      if (!server) throw new Error('serverSuite: the server is started in beforeAll')
      return server
    },
    clock,
    async canteen(tillName) {
      const f = await seedFixture(suite.db, clock)
      return { f, till: await enrolTill(suite.server, f.locationId, tillName) }
    },
  }
  return suite
}
