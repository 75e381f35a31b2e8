import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

// electron-vite's "customizing" layout: electron/main, electron/preload, the renderer at the root.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Every package in `dependencies` stays external (electron-vite's default); the native
      // modules are named as well, so that they stay out of the bundle even if they ever leave
      // `dependencies`: a .node addon cannot be bundled, it is loaded from app.asar.unpacked.
      externalizeDeps: { include: ['better-sqlite3', 'node-hid'] },
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'electron/main/index.ts'),
          // The core runs in its own utilityProcess; main only relays messages.
          core: resolve(import.meta.dirname, 'electron/main/core-process.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'electron/preload/index.ts') },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: '.',
    plugins: [vue()],
    // vue-i18n's build flags: Composition API only, no devtools in production.
    define: {
      __VUE_I18N_FULL_INSTALL__: true,
      __VUE_I18N_LEGACY_API__: false,
      __INTLIFY_PROD_DEVTOOLS__: false,
    },
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: resolve(import.meta.dirname, 'index.html') },
    },
  },
})
