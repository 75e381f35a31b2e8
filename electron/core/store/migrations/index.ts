import m0001 from './0001_init'

/**
 * Every migration, in order, imported statically (no folder scan at run time, so the bundled
 * Electron main carries them). `user_version` records how many have run. Never edit one that
 * has shipped: add the next number.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  { version: 1, name: '0001_init', sql: m0001 },
]
