// @ts-check
/**
 * Lint, and the architecture's boundaries enforced by it (DESIGN.md "The shape", STYLE.md
 * "Layout and boundaries"):
 *   - domain/        imports nothing of ours outside domain/, and no Node, Electron or Vue;
 *   - electron/core/ and server/ never import `electron` or the renderer (src/);
 *   - src/           never imports Node, Electron, native modules, or electron/core, except the
 *                    RPC contract as `import type`.
 *
 * Relative imports are matched by how many `../` they climb: a file N folders below the repo
 * root reaches a top-level folder with exactly N `../`. So each area gets one block per depth,
 * generated below; ESLint does not merge a rule's options across blocks, which is why every
 * block carries its area's full list.
 */
import { builtinModules } from 'node:module'
import pluginVue from 'eslint-plugin-vue'
import { defineConfig } from 'eslint/config'
import tseslint from 'typescript-eslint'

const SOURCE = '{ts,mts,cts,js,mjs,cjs,vue}'
const MAX_DEPTH = 8

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'))
const NODE_PATHS = nodeBuiltins.map((name) => ({ name, message: 'Node built-in: not available here.' }))
const NODE_PATTERN = { regex: '^node:', message: 'Node built-in: not available here.' }
const ELECTRON = [
  { name: 'electron', message: 'Only the Electron shells (electron/main, electron/preload) import electron.' },
]
const ELECTRON_PATTERN = { regex: '^electron/', message: 'Only the Electron shells import electron.' }

/** `(?:\.\./){n}` as a regex source: climbing exactly n folders. */
const up = (n) => `(?:\\.\\./){${n}}`

/**
 * One config block per depth below `area`. `build(rootUp, areaUp)` returns the rule's options:
 * `rootUp` climbs from the file to the repo root, `areaUp` climbs out of the area.
 */
function boundary(area, build) {
  const areaDepth = area.split('/').length
  const blocks = []
  for (let d = 1; d <= MAX_DEPTH; d++) {
    blocks.push({
      name: `kantine/boundaries/${area}/depth-${d}`,
      files: [`${area}/${'*/'.repeat(d - 1)}*.${SOURCE}`],
      rules: { '@typescript-eslint/no-restricted-imports': ['error', build(up(areaDepth + d - 1), up(d))] },
    })
  }
  return blocks
}

const domainRules = (_rootUp, areaUp) => ({
  paths: [
    ...NODE_PATHS,
    ...ELECTRON,
    ...['vue', 'pinia', 'vue-router', 'vue-i18n', 'better-sqlite3', 'node-hid'].map((name) => ({
      name,
      message: 'domain/ is pure TypeScript shared by every part: no I/O, no framework.',
    })),
  ],
  patterns: [
    NODE_PATTERN,
    ELECTRON_PATTERN,
    { regex: '^@vue/', message: 'domain/ uses no framework.' },
    { regex: `^${areaUp}`, message: 'domain/ imports nothing of ours outside domain/.' },
  ],
})

const coreAndServerRules = (rootUp) => ({
  paths: ELECTRON,
  patterns: [
    ELECTRON_PATTERN,
    { regex: `^${rootUp}src(?:/|$)`, message: 'The renderer (src/) is UI only; nothing imports it.' },
  ],
})

const rendererRules = (rootUp) => ({
  paths: [
    ...NODE_PATHS,
    ...ELECTRON,
    ...['better-sqlite3', 'node-hid', 'fastify', 'ws', 'pg', '@electric-sql/pglite'].map((name) => ({
      name,
      message: 'src/ runs in the page: it talks to the core through src/api only.',
    })),
  ],
  patterns: [
    NODE_PATTERN,
    ELECTRON_PATTERN,
    {
      regex: `^${rootUp}electron/(?!core/api/contract(?:\\.ts)?$)`,
      message: 'src/ reaches the core only through src/api (the contract, as types).',
    },
    {
      regex: `^${rootUp}electron/core/api/contract(?:\\.ts)?$`,
      allowTypeImports: true,
      message: 'Import the RPC contract with `import type`: its zod schemas run in the core, not in the page.',
    },
    { regex: `^${rootUp}server(?:/|$)`, message: 'The renderer never imports the server.' },
  ],
})

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
  ...boundary('domain', domainRules),
  ...boundary('electron/core', coreAndServerRules),
  ...boundary('server', coreAndServerRules),
  ...boundary('src', rendererRules),
)
