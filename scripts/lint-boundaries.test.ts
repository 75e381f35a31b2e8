// The import boundaries (eslint.config.js) checked the way a careless or clever import would try
// to cross them: ESLint's own API lints in-memory snippets as if they were files in each folder.
import { ESLint } from 'eslint'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')
const eslint = new ESLint({ cwd: root })
const BOUNDARY_RULES = new Set(['import-x/no-restricted-paths', '@typescript-eslint/no-restricted-imports', 'kantine/type-only-contract'])

/** The boundary rules that fire on `code` placed at `file` (a path that need not exist). */
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) })
  const fatal = result?.messages.filter((m) => m.fatal) ?? []
  if (fatal.length > 0) throw new Error(`${file} did not parse: ${fatal[0]?.message}`)
  return (result?.messages ?? []).filter((m) => m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId)).map((m) => `${m.ruleId}: ${m.message}`)
}

describe('the renderer (src/) reaches the core only through the contract, as types', () => {
  const file = 'src/stores/boundary-probe.ts'

  it('refuses the till store however the path is spelt', async () => {
    for (const spec of ['../../electron/core/store/db', './../../electron/core/store/db', '../stores/../../electron/core/store/db', '../../electron/core/./store/db.ts']) {
      const errors = await boundaryErrors(file, `import { openDb } from '${spec}'\nexport const o = openDb\n`)
      expect(errors, spec).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: .*src\/ runs in the page/)])
    }
  })

  it('refuses it as a re-export or a dynamic import too', async () => {
    expect(await boundaryErrors(file, `export { openDb } from './../../electron/core/store/db'\n`)).toHaveLength(1)
    expect(await boundaryErrors(file, `export * from '../../electron/core/store/db'\n`)).toHaveLength(1)
    expect(await boundaryErrors(file, `export const load = () => import('./../../electron/core/store/db')\n`)).toHaveLength(1)
  })

  it('refuses the server, Node and I/O packages, even through node_modules by path', async () => {
    expect(await boundaryErrors(file, `import { buildApp } from '../../server/app'\nexport const b = buildApp\n`)).toHaveLength(1)
    expect(await boundaryErrors(file, `import { readFileSync } from 'node:fs'\nexport const r = readFileSync\n`)).not.toEqual([])
    expect(await boundaryErrors(file, `import { readFileSync } from 'fs'\nexport const r = readFileSync\n`)).not.toEqual([])
    expect(await boundaryErrors(file, `import pg from 'pg'\nexport const p = pg\n`)).not.toEqual([])
    expect(await boundaryErrors(file, `import pg from '../../node_modules/pg'\nexport const p = pg\n`)).not.toEqual([])
    expect(await boundaryErrors(file, `import { ipcRenderer } from 'electron'\nexport const i = ipcRenderer\n`)).not.toEqual([])
  })

  it('takes the contract as types, and refuses it as values', async () => {
    expect(await boundaryErrors(file, `import type { Method } from '../../electron/core/api/contract'\nexport type M = Method\n`)).toEqual([])
    expect(await boundaryErrors(file, `import type { Method } from './../../electron/core/api/contract'\nexport type M = Method\n`)).toEqual([])
    expect(await boundaryErrors(file, `import { methods } from './../../electron/core/api/contract'\nexport const m = methods\n`)).toEqual([
      expect.stringMatching(/^kantine\/type-only-contract: /),
    ])
  })

  it('lets the page import its own code and its framework', async () => {
    expect(await boundaryErrors(file, `import { ref } from 'vue'\nimport { createConnectionFeed } from '../api/client'\nexport const x = [ref, createConnectionFeed]\n`)).toEqual([])
  })
})

describe('domain/ is pure: nothing of ours outside it, no Node, no I/O', () => {
  const file = 'domain/boundary-probe.ts'

  it('refuses pg and the other I/O packages', async () => {
    expect(await boundaryErrors(file, `import pg from 'pg'\nexport const p = pg\n`)).not.toEqual([])
    expect(await boundaryErrors(file, `import { Client } from 'pg/lib/client'\nexport const c = Client\n`)).not.toEqual([])
    expect(await boundaryErrors(file, `import Database from 'better-sqlite3'\nexport const d = Database\n`)).not.toEqual([])
    expect(await boundaryErrors(file, `import { ref } from 'vue'\nexport const r = ref\n`)).not.toEqual([])
    expect(await boundaryErrors(file, `import { createHash } from 'node:crypto'\nexport const h = createHash\n`)).not.toEqual([])
    expect(await boundaryErrors(file, `import { createHash } from 'crypto'\nexport const h = createHash\n`)).not.toEqual([])
  })

  it('refuses our other folders however the path is spelt', async () => {
    for (const spec of ['../electron/core/store/db', './../electron/core/store/db', '../domain/../server/platform/clock', '../src/api/client']) {
      const errors = await boundaryErrors(file, `import * as m from '${spec}'\nexport const x = m\n`)
      expect(errors, spec).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: .*domain\/ is pure/)])
    }
  })

  it('lets domain import itself and pure libraries', async () => {
    expect(await boundaryErrors(file, `import { formatKr } from './money'\nimport { format } from 'date-fns'\nimport { z } from 'zod'\nexport const x = [formatKr, format, z]\n`)).toEqual([])
  })
})

describe('the till core and the server run in plain Node', () => {
  it('refuse Electron, the shells and the renderer', async () => {
    expect(await boundaryErrors('electron/core/probe.ts', `import { app } from 'electron'\nexport const a = app\n`)).not.toEqual([])
    expect(await boundaryErrors('electron/core/probe.ts', `import * as f from './../main/flags'\nexport const x = f\n`)).toHaveLength(1)
    expect(await boundaryErrors('electron/core/sync/probe.ts', `import * as c from '../../../src/api/client'\nexport const x = c\n`)).toHaveLength(1)
    expect(await boundaryErrors('server/sync/probe.ts', `import * as c from './../../src/api/client'\nexport const x = c\n`)).toHaveLength(1)
  })

  it('let the shells use the core', async () => {
    expect(await boundaryErrors('electron/main/probe.ts', `import { openDb } from '../core/store/db'\nexport const o = openDb\n`)).toEqual([])
  })
})
