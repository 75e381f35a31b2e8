// @ts-check
/**
 * Lint, and the architecture's boundaries enforced by it (DESIGN.md "The shape", STYLE.md
 * "Layout and boundaries"):
 *   - domain/        imports nothing of ours outside domain/, no Node built-in, no I/O package
 *                    and no framework;
 *   - electron/core/ and server/ never import `electron`, the Electron shells or the renderer (src/);
 *   - src/           never imports Node, Electron, the server or I/O packages, and of electron/ only
 *                    the RPC contract (electron/core/api/**), as `import type`.
 *
 * Boundaries between our folders are checked on the RESOLVED file (import-x/no-restricted-paths
 * with the TypeScript resolver), so no spelling of a path walks around them:
 * `./../../electron/core/store/db` and `../../node_modules/pg` resolve to the same files as
 * `../electron/core/store/db` and `pg`. Node built-ins resolve to no file, so they are banned by
 * name (bare names cannot be respelt). scripts/lint-boundaries.test.ts proves each rule bites.
 */
import { builtinModules } from 'node:module'
import { dirname, relative, resolve as resolvePath, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import importX from 'eslint-plugin-import-x'
import { resolve as resolveImport } from 'eslint-plugin-import-x/utils'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'
import pluginVue from 'eslint-plugin-vue'
import { defineConfig } from 'eslint/config'
import tseslint from 'typescript-eslint'

const ROOT = dirname(fileURLToPath(import.meta.url))

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'))
const NODE_PATHS = nodeBuiltins.map((name) => ({ name, message: 'Node built-in: not available here.' }))
const NODE_PATTERN = { regex: '^node:', message: 'Node built-in: not available here.' }

/** Packages that do I/O or are a framework: never in domain/; the page may use vue and pinia. */
const IO_PACKAGES = ['pg', 'better-sqlite3', 'node-hid', 'fastify', '@fastify', 'ws', '@electric-sql/pglite', 'undici', 'pino', 'tsx', 'electron']
const FRAMEWORKS = ['vue', '@vue', 'pinia', 'vue-router', 'vue-i18n']

/** A bare name and its subpaths (`pg`, `pg/lib/client`), as no-restricted-imports patterns. */
const byName = (names, message) => names.map((name) => ({ regex: `^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?:/|$)`, message }))
/** The same packages as folders, for no-restricted-paths (catches `../../node_modules/pg` too). */
const asFolders = (names) => names.map((name) => `node_modules/${name}`)

const DOMAIN_MSG = 'domain/ is pure TypeScript shared by every part: no I/O, no framework, nothing of ours outside domain/.'
const ELECTRON_MSG = 'Only the Electron shells (electron/main, electron/preload) import electron.'
const RENDERER_MSG = 'src/ runs in the page: it reaches the core only through src/api and the contract in electron/core/api (types only).'

const ZONES = [
  // domain/: of ours, only domain/ itself; of node_modules, anything but I/O and frameworks.
  { target: 'domain', from: '.', except: ['./domain', './node_modules'], message: DOMAIN_MSG },
  { target: 'domain', from: asFolders([...IO_PACKAGES, ...FRAMEWORKS]), message: DOMAIN_MSG },
  // The till core and the server run in plain Node: no Electron, no shell, no page.
  {
    target: ['electron/core', 'server'],
    from: ['src', 'electron/main', 'electron/preload', 'electron/host', 'node_modules/electron'],
    message: 'electron/core and server/ run in plain Node: never Electron, a shell or the renderer (src/).',
  },
  // The page: of electron/, only the contract; never the server, never an I/O package.
  { target: 'src', from: 'electron', except: ['./core/api'], message: RENDERER_MSG },
  { target: 'src', from: 'server', message: 'The renderer never imports the server.' },
  { target: 'src', from: asFolders(IO_PACKAGES), message: RENDERER_MSG },
]

/**
 * The renderer may name the contract only in `import type` / `export type`: its zod schemas run
 * in the core, and a value import would bundle them (and what they import) into the page.
 * Checked on the resolved file, like the zones.
 */
const typeOnlyContract = {
  meta: { type: 'problem', schema: [], messages: { typeOnly: 'Import the RPC contract with `import type`: its zod schemas run in the core, not in the page.' } },
  create(context) {
    const api = resolvePath(ROOT, 'electron/core/api')
    const inApi = (spec) => {
      const file = resolveImport(spec, context)
      return typeof file === 'string' && !relative(api, file).startsWith('..') && !relative(api, file).startsWith(sep)
    }
    const check = (node, typeOnly) => {
      if (node.source && typeof node.source.value === 'string' && !typeOnly && inApi(node.source.value)) {
        context.report({ node: node.source, messageId: 'typeOnly' })
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.importKind === 'type'),
      ExportNamedDeclaration: (node) => check(node, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, node.exportKind === 'type'),
      ImportExpression: (node) => check(node, false),
    }
  },
}

export default defineConfig(
  {
    name: 'kantine/ignores',
    ignores: ['out/**', 'dist/**', 'node_modules/**', '.data/**', '.tmp/**', 'test-results/**', 'playwright-report/**', 'bench/results.json'],
  },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    name: 'kantine/vue-typescript',
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } },
  },
  {
    name: 'kantine/general',
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    name: 'kantine/commonjs',
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    name: 'kantine/vue',
    files: ['src/**/*.vue'],
    rules: {
      // Prettier-style long lines are the formatter's business, not a lint error.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': ['error', { html: { void: 'always', normal: 'never', component: 'always' } }],
      'vue/no-v-html': 'error',
      'vue/require-explicit-emits': 'error',
      'vue/block-lang': ['error', { script: { lang: 'ts' } }],
      'vue/component-api-style': ['error', ['script-setup']],
    },
  },
  // ---- boundaries -------------------------------------------------------------------------------
  {
    name: 'kantine/boundaries/paths',
    files: ['{domain,electron,server,src}/**/*.{ts,mts,cts,js,mjs,cjs,vue}'],
    plugins: { 'import-x': importX, kantine: { rules: { 'type-only-contract': typeOnlyContract } } },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: resolvePath(ROOT, 'tsconfig.node.json'), alwaysTryTypes: true })],
      'import-x/extensions': ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.vue'],
    },
    rules: { 'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones: ZONES }] },
  },
  {
    name: 'kantine/boundaries/domain-names',
    files: ['domain/**/*.{ts,mts,cts,js,mjs,cjs,vue}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: NODE_PATHS, patterns: [NODE_PATTERN, ...byName([...IO_PACKAGES, ...FRAMEWORKS], DOMAIN_MSG)] },
      ],
    },
  },
  {
    name: 'kantine/boundaries/core-and-server-names',
    files: ['{electron/core,server}/**/*.{ts,mts,cts,js,mjs,cjs,vue}'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: byName(['electron'], ELECTRON_MSG) }] },
  },
  {
    name: 'kantine/boundaries/renderer-names',
    files: ['src/**/*.{ts,mts,cts,js,mjs,cjs,vue}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: NODE_PATHS, patterns: [NODE_PATTERN, ...byName(IO_PACKAGES, RENDERER_MSG)] }],
      'kantine/type-only-contract': 'error',
    },
  },
)
