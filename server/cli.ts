/**
 * `npm run server`: the central server on this machine.
 *
 * Logs (pino) go to stderr. When ready, ONE line goes to stdout, for a launcher to parse:
 *   {"event":"ready","url":"http://127.0.0.1:4800","adminToken":"...","payments":"simulated","enrolmentCodes":{"<locationId>":"<code>"}}
 * (`adminToken` is null outside the demo: a real deployment uses named admin tokens.)
 */
import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { startServer } from './app'
import { createAdminToken } from './admin/tokens'
import { createContext, type PaymentsOption } from './platform/context-factory'
import { checkCprKey, resolveCprKey } from './platform/crypto'
import { migrate, openDb, type Db } from './db'
import { isEmpty, loadDemo, readDemoFile } from './demo/demo'
import { createEnrolmentCode } from './enrolment/enrol'

const HELP = `Usage: npm run server -- [options]
       npm run server -- create-admin-token --person <name> (--municipality <id> | --all-municipalities)

Options:
  --port <n>            port to listen on (default 4800; 0 = any free port)
  --host <addr>         address to listen on (default 127.0.0.1)
  --data-dir <dir>      PGlite database folder (default .data/server)
  --in-memory           PGlite in memory: nothing is kept (tests, throw-away demos; starts faster)
  --demo                load resources/demo/demo.json if the database is empty, then print one
                        enrolment code per canteen; implies --payments simulated, the DEMO
                        CPR key (invented data only) and the simulated parent sign-in (no MitID)
  --payments <mode>     off (default): no payment provider, top-ups are refused and auto top-ups
                        wait; simulated: the stand-in provider, its state kept in the database
                        (no real money moves)
  --mail <mode>         off (default): no mail is sent (top-up receipts included); outbox: mails
                        are kept in the database's mail_outbox table (demo; --demo implies it)
  --cpr-key-file <f>    a file holding the key CPR numbers are hashed under (or KANTINE_CPR_KEY)
  --keep-changes <d>    days the sync change log is kept (default 30; 0 = never pruned); a till
                        away for longer starts again from a snapshot
  --help                this text

create-admin-token: makes an admin token named to a person, for one municipality (or for every
municipality: the operator's own people), prints it once as JSON, and exits.

Environment:
  DATABASE_URL                  use this PostgreSQL instead of PGlite (e.g. postgres://user@host:5432/kantine)
  KANTINE_CPR_KEY               the key CPR numbers are hashed under (at least 32 characters);
  KANTINE_CPR_KEY_FILE          or a file holding it. Required outside --demo: the server refuses
                                to start without one, and with another key than the one it started with
  KANTINE_ADMIN_BOOTSTRAP_TOKEN a token (at least 32 characters) that can only create named admin
                                tokens (POST /admin/tokens)
  KANTINE_ADMIN_TOKEN           --demo only: the launch admin token (default: a random one per launch)
  LOG_LEVEL                     pino level (default info)
`

function options() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '4800' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string', default: '.data/server' },
      'in-memory': { type: 'boolean', default: false },
      demo: { type: 'boolean', default: false },
      payments: { type: 'string' },
      mail: { type: 'string' },
      'cpr-key-file': { type: 'string' },
      'keep-changes': { type: 'string', default: '30' },
      person: { type: 'string' },
      municipality: { type: 'string' },
      'all-municipalities': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port: ${values.port}`)
  const keepDays = Number(values['keep-changes'])
  if (!Number.isFinite(keepDays) || keepDays < 0) throw new Error(`--keep-changes: not a number of days: ${values['keep-changes']}`)
  const payments = values.payments ?? (values.demo ? 'simulated' : 'off')
  if (payments !== 'off' && payments !== 'simulated') throw new Error(`--payments: off or simulated, not ${values.payments}`)
  const mail = values.mail ?? (values.demo ? 'outbox' : 'off')
  if (mail !== 'off' && mail !== 'outbox') throw new Error(`--mail: off or outbox, not ${values.mail}`)
  const command = positionals[0]
  if (command !== undefined && command !== 'create-admin-token') throw new Error(`unknown command ${command} (see --help)`)
  return {
    command,
    port,
    host: values.host,
    dataDir: values['in-memory'] ? undefined : resolve(values['data-dir']),
    demo: values.demo,
    payments: payments as PaymentsOption,
    mail: mail as 'off' | 'outbox',
    cprKeyFile: values['cpr-key-file'],
    changeRetentionMs: keepDays === 0 ? null : keepDays * 24 * 60 * 60 * 1000,
    person: values.person,
    municipality: values.municipality,
    allMunicipalities: values['all-municipalities'],
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
async function prepareDemo(db: Db, cprKey: string): Promise<Record<string, string>> {
  if (await isEmpty(db)) await loadDemo(db, await readDemoFile(), { cprKey })
  const ctx = createContext({ db, cprKey })
  const { rows } = await db.query<{ id: string }>('SELECT id FROM locations ORDER BY id')
  const codes: Record<string, string> = {}
  for (const { id } of rows) {
    const code = await createEnrolmentCode(ctx, id)
    if (code.ok) codes[id] = code.value.code
  }
  await ctx.close()
  return codes
}

async function createAdminTokenCommand(opts: ReturnType<typeof options>): Promise<void> {
  if (!opts.person) throw new Error('create-admin-token: --person <name> is required (a token is named to the person who uses it)')
  if (!opts.municipality === !opts.allMunicipalities) throw new Error('create-admin-token: give --municipality <id> or --all-municipalities')
  const db = await open(opts.dataDir)
  try {
    await migrate(db)
    const ctx = createContext({ db })
    const result = await createAdminToken(ctx, { person: opts.person, municipalityId: opts.municipality ?? null, createdBy: 'cli' })
    await ctx.close()
    if (!result.ok) throw new Error(`create-admin-token: ${result.reason}`)
    process.stdout.write(JSON.stringify(result.value) + '\n')
  } finally {
    await db.close()
  }
}

function bootstrapToken(): string | null {
  const token = process.env.KANTINE_ADMIN_BOOTSTRAP_TOKEN
  if (!token) return null
  if (token.length < 32) throw new Error('KANTINE_ADMIN_BOOTSTRAP_TOKEN is too short: at least 32 characters')
  return token
}

async function main(): Promise<void> {
  const opts = options()
  if (opts.help) {
    process.stdout.write(HELP)
    return
  }
  if (opts.command === 'create-admin-token') return createAdminTokenCommand(opts)
  // Before anything is opened: without a key from outside the database, refuse at once.
  const cpr = await resolveCprKey({ keyFile: opts.cprKeyFile, demo: opts.demo })
  if (!cpr.ok) throw new Error(cpr.reason)
  if (process.env.KANTINE_ADMIN_TOKEN && !opts.demo) {
    throw new Error('KANTINE_ADMIN_TOKEN is a demo-only launch token; a deployment uses named admin tokens (create-admin-token, or KANTINE_ADMIN_BOOTSTRAP_TOKEN)')
  }
  const db = await open(opts.dataDir)
  await migrate(db)
  const keyCheck = await checkCprKey(db, cpr.value.key)
  if (!keyCheck.ok) {
    await db.close()
    throw new Error(`the CPR key (${cpr.value.source}) is not the one this database was started with: every CPR lookup would fail; refusing to start`)
  }
  const enrolmentCodes = opts.demo ? await prepareDemo(db, cpr.value.key) : {}
  const server = await startServer({
    db,
    host: opts.host,
    port: opts.port,
    adminToken: opts.demo ? process.env.KANTINE_ADMIN_TOKEN || undefined : null,
    adminBootstrapToken: bootstrapToken(),
    payments: opts.payments,
    mailer: opts.mail,
    cprKey: cpr.value.key,
    changeRetentionMs: opts.changeRetentionMs,
    // Parents sign in through a MitID broker; the demo has the simulated one (pick a demo guardian).
    guardian: { identity: opts.demo ? 'simulated' : 'off' },
    logger: { level: process.env.LOG_LEVEL ?? 'info' },
  })
  server.app.log.info({ url: server.url, database: db.kind, payments: server.payments, cprKey: cpr.value.source }, 'kantine server ready')
  process.stdout.write(
    JSON.stringify({ event: 'ready', url: server.url, adminToken: server.adminToken || null, payments: server.payments, enrolmentCodes }) + '\n',
  )

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
