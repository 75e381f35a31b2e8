import type { Db } from './db'

/**
 * Holders' photos, kept by id (sha256 of the data: URL) once fetched from the server. An account
 * names its photo by id (accounts.photo_id); the image is fetched the first time the card is
 * looked up while online (sync/engine.ts `fetchPhoto`), then it is here, also offline.
 */
export function savePhoto(db: Db, id: string, data: string, at: Date): void {
  db.prepare('INSERT INTO photos (id, data, fetched_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING').run(id, data, at.toISOString())
}

export function hasPhoto(db: Db, id: string): boolean {
  return db.prepare('SELECT 1 FROM photos WHERE id = ?').get(id) !== undefined
}
