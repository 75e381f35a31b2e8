/**
 * `npm run server`: the central server on this machine.
 *
 * Logs (pino) go to stderr. When ready, ONE line goes to stdout, for a launcher to parse:
 *   {"event":"ready","url":"http://127.0.0.1:4800","adminToken":"...","enrolmentCodes":{"<locationId>":"<code>"}}
 */
import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { startServer } from './app'
import { createContext } from './platform/context-factory'
import { migrate, openDb, type Db } from './db'
import { isEmpty, loadDemo, readDemoFile } from './demo/demo'
import { createEnrolmentCode } from './enrolment/enrol'

const HELP = `Usage: npm run server -- [options]

Options:
  --port <n>          port to listen on (default 4800; 0 = any free port)
  --host <addr>       address to listen on (default 127.0.0.1)
  --data-dir <dir>    PGlite database folder (default .data/server)
  --in-memory         PGlite in memory: nothing is kept (tests, throw-away demos; starts faster)
  --demo              load resources/demo/demo.json if the database is empty,
                      then print one enrolment code per canteen
  --keep-changes <d>  days the sync change log is kept (default 30; 0 = never pruned); a till
                      away for longer starts again from a snapshot
  --help              this text

Environment:
  DATABASE_URL        use this PostgreSQL instead of PGlite (e.g. postgres://user@host:5432/kantine)
  KANTINE_ADMIN_TOKEN the admin token (default: a new random one per launch, printed when ready)
  KANTINE_CPR_KEY     key for CPR hashes (default: generated once, kept in the database)
  LOG_LEVEL           pino level (default info)
`

function options() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4800' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string', default: '.data/server' },
      'in-memory': { type: 'boolean', default: false },
      demo: { type: 'boolean', default: false },
      'keep-changes': { type: 'string', default: '30' },
      help: { type: 'boolean', default: false },
    },
  })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port: ${values.port}`)
  const keepDays = Number(values['keep-changes'])
  if (!Number.isFinite(keepDays) || keepDays < 0) throw new Error(`--keep-changes: not a number of days: ${values['keep-changes']}`)
  return {
    port,
    host: values.host,
    dataDir: values['in-memory'] ? undefined : resolve(values['data-dir']),
    demo: values.demo,
    changeRetentionMs: keepDays === 0 ? null : keepDays * 24 * 60 * 60 * 1000,
    help: values.help,
  }
}

async function open(dataDir: string | undefined): Promise<Db> {
  const url = process.env.DATABASE_URL
  if (url) return openDb({ url })
  if (dataDir === undefined) return openDb()
  await mkdir(dataDir, { recursive: true })
  return openDb({ dataDir })
}

/** Demo data when the database is empty, then a fresh enrolment code for every canteen. */
async function prepareDemo(db: Db): Promise<Record<string, string>> {
  await migrate(db)
  if (await isEmpty(db)) await loadDemo(db, await readDemoFile())
  const ctx = createContext({ db })
  const { rows } = await db.query<{ id: string }>('SELECT id FROM locations ORDER BY id')
  const codes: Record<string, string> = {}
  for (const { id } of rows) {
    const code = await createEnrolmentCode(ctx, id)
    if (code.ok) codes[id] = code.value.code
  }
  await ctx.close()
  return codes
}

async function main(): Promise<void> {
  const opts = options()
  if (opts.help) {
    process.stdout.write(HELP)
    return
  }
  const db = await open(opts.dataDir)
  const enrolmentCodes = opts.demo ? await prepareDemo(db) : {}
  const server = await startServer({
    db,
    host: opts.host,
    port: opts.port,
    adminToken: process.env.KANTINE_ADMIN_TOKEN || undefined,
    changeRetentionMs: opts.changeRetentionMs,
    logger: { level: process.env.LOG_LEVEL ?? 'info' },
  })
  server.app.log.info({ url: server.url, database: db.kind }, 'kantine server ready')
  process.stdout.write(JSON.stringify({ event: 'ready', url: server.url, adminToken: server.adminToken, enrolmentCodes }) + '\n')

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    server.app.log.info({ signal }, 'shutting down')
    await server.close()
    await db.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

main().catch((error: unknown) => {
  process.stderr.write(`kantine server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
