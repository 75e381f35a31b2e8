/**
 * A central server and real tills, each till behind its own fault-injecting proxy, all on
 * loopback: the system as it runs, with the network under the test's control.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type RunningServer } from '../../server/app'
import type { Db } from '../../server/db'
import { api, openTestDb, seedFixture, type Fixture } from './server'
import type { Result, Method } from '../../electron/core/api/contract'
import { openTill, type Till, type TillOptions } from '../../electron/core/till'
import { startFaultProxy, type FaultProxy } from './proxy'

export interface TestTill {
  till: Till
  proxy: FaultProxy
  dataDir: string
  call<M extends Method>(method: M, args?: unknown): Promise<Result<M>>
  /** Reopens the till on the same data folder (a restart), with `opts` changed from then on. */
  restart(opts?: Partial<TillOptions>): Promise<void>
  /** Closes the till but keeps its data folder and proxy, for another process to use; `resume` reopens it. */
  suspend(): Promise<void>
  resume(): Promise<void>
  close(): Promise<void>
}

export interface Cluster {
  db: Db
  server: RunningServer
  fixture: Fixture
  enrolmentCode(locationId?: string): Promise<string>
  /**
   * A till enrolled at the fixture's canteen, synced once, with the cashier signed in.
   * `beforeOpen` sets the proxy's faults before the till's first request.
   */
  newTill(name: string, opts?: Partial<TillOptions>, setup?: { beforeOpen?(proxy: FaultProxy): void }): Promise<TestTill>
  close(): Promise<void>
}

export async function startCluster(): Promise<Cluster> {
  const db = await openTestDb()
  const server = await startServer({ db })
  const fixture = await seedFixture(db)
  const tills: TestTill[] = []
  const root = mkdtempSync(join(tmpdir(), 'kantine-cluster-'))

  const enrolmentCode = async (locationId = fixture.locationId) => {
    const r = await api(server, 'POST', '/admin/enrolment-codes', { token: server.adminToken, body: { locationId } })
    if (r.status !== 200) throw new Error(`enrolment code: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body.code as string
  }

  const newTill = async (name: string, opts: Partial<TillOptions> = {}, setup: { beforeOpen?(proxy: FaultProxy): void } = {}): Promise<TestTill> => {
    const proxy = await startFaultProxy(server.url)
    setup.beforeOpen?.(proxy)
    const dataDir = join(root, name)
    let options: TillOptions = {
      dataDir,
      serverUrl: proxy.url,
      enrolmentCode: await enrolmentCode(),
      tillName: name,
      syncIntervalMs: 60_000,
      ...opts,
    }
    let till = await openTill(options)
    const t: TestTill = {
      get till() {
        return till
      },
      proxy,
      dataDir,
      async call(method, args = {}) {
        const res = await till.dispatch(method, args)
        if (!res.ok) throw new Error(`${method}: ${res.error.code} ${res.error.message}`)
        return res.value as never
      },
      async restart(opts = {}) {
        await till.close()
        options = { ...options, ...opts }
        till = await openTill(options)
      },
      async suspend() {
        await till.close()
      },
      async resume() {
        till = await openTill(options)
        await t.call('staff.signIn', { pin: '1234' })
      },
      async close() {
        await till.close()
        await proxy.close()
      },
    }
    const status = await t.call('sync.now')
    if (!status.enrolled || status.lastError) throw new Error(`till ${name} did not sync: ${status.lastError}`)
    await t.call('staff.signIn', { pin: '1234' })
    tills.push(t)
    return t
  }

  return {
    db,
    server,
    fixture,
    enrolmentCode,
    newTill,
    async close() {
      for (const t of tills) await t.close().catch(() => {})
      await server.close()
      await db.close()
      rmSync(root, { recursive: true, force: true })
    },
  }
}

/** Waits until `check` passes or `ms` pass; returns the milliseconds it took. */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 5000, step = 25): Promise<number> {
  const start = Date.now()
  for (;;) {
    if (await check()) return Date.now() - start
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, step))
  }
}
