import type { Db } from './db'

/** The till's own facts: enrolment, sync position. Values are text; typed accessors below. */
export type SettingKey =
  | 'terminal_id'
  | 'device_token'
  | 'server_url'
  | 'location_id'
  | 'municipality_id'
  | 'till_name'
  | 'pull_cursor'
  | 'acked_seq'
  | 'last_sync_at'
  | 'offline_allowance'

export function getSetting(db: Db, key: SettingKey): string | null {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined
  return row?.value ?? null
}

export function setSetting(db: Db, key: SettingKey, value: string | number): void {
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, String(value))
}

export function getNumberSetting(db: Db, key: SettingKey, fallback: number): number {
  const v = getSetting(db, key)
  return v === null ? fallback : Number(v)
}
