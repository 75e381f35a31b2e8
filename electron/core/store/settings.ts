import type { CounterSettings } from '../api/contract'
import { stmt, type Db } from './db'

/** The till's own facts: enrolment, sync position. Values are text; typed accessors below. */
export type SettingKey =
  | 'terminal_id'
  /** 'till' (sells, holds pupil data) or 'kiosk' (relays the guardian API, holds none); absent: a till. */
  | 'terminal_kind'
  | 'device_token'
  | 'server_url'
  | 'location_id'
  /** The canteen's name as enrolment told it (a kiosk pulls no locations). */
  | 'location_name'
  | 'municipality_id'
  | 'till_name'
  | 'pull_cursor'
  | 'acked_seq'
  /** Every outbox row up to this seq is settled: pruned, compacted or set aside (store/outbox.ts pruneClosedOutbox). */
  | 'outbox_pruned_seq'
  | 'last_sync_at'
  /** The till's own clock at its last successful pull (data age is measured on the till's clock). */
  | 'last_pull_local_at'
  | 'offline_allowance'
  /** What one card may spend offline at this till (øre), over the sales the server has not acknowledged. */
  | 'offline_cap'
  /** The enrolment in progress, {codeHash, requestId}: written before the request is sent, so a retry is the same request. */
  | 'enrol_request'
  /** sha256 of the enrolment code this till's token came from: a different code given at start enrols it again. */
  | 'enrolled_code'
  | 'signout_after_minutes'
  | 'pin_failures'
  | 'pin_locked_until'
  /** The card reader: chosen USB device, its decoding, and each reader's normalisation (JSON, see reader/service.ts). */
  | 'reader_config'
  /** The drawer's opening float (øre) of the last day closed: the next close offers it again. */
  | 'cash_float'
  /** '0': the approved and refused sounds are off; absent or '1': on. */
  | 'sound_on'
  /** The sounds' volume, 0–100 (absent: DEFAULT_SOUND_VOLUME). */
  | 'sound_volume'

export function getSetting(db: Db, key: SettingKey): string | null {
  const row = stmt(db, 'SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined
  return row?.value ?? null
}

export function setSetting(db: Db, key: SettingKey, value: string | number): void {
  stmt(db, 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, String(value))
}

export function deleteSetting(db: Db, key: SettingKey): void {
  db.prepare('DELETE FROM settings WHERE key = ?').run(key)
}

export function getNumberSetting(db: Db, key: SettingKey, fallback: number): number {
  const v = getSetting(db, key)
  return v === null ? fallback : Number(v)
}

export const DEFAULT_SOUND_VOLUME = 70
/** Default per-card offline allowance (øre): how far an offline till lets a card go below its cached balance. */
export const DEFAULT_OFFLINE_ALLOWANCE = 5000
/**
 * Default per-card offline cap per till (øre), about a day's lunch and a drink. With n tills of a
 * canteen offline at once, one card can spend at most n × cap the server has not seen.
 */
export const DEFAULT_OFFLINE_CAP = 7500

/**
 * Guests may pay cash at this till's canteen: the canteen's setting, held by the server and
 * pulled with the location (migration 0014). Not pulled yet, or no canteen: card only.
 */
export function canteenTakesCash(db: Db): boolean {
  const locationId = getSetting(db, 'location_id')
  if (locationId === null) return false
  const row = stmt(db, 'SELECT cash_allowed FROM locations WHERE id = ?').get(locationId) as { cash_allowed: number } | undefined
  return row?.cash_allowed === 1
}

/** The counter's preferences, as the renderer needs them (RPC `app.settings`). */
export function counterSettings(db: Db): CounterSettings {
  const volume = getNumberSetting(db, 'sound_volume', DEFAULT_SOUND_VOLUME)
  return {
    cashAllowed: canteenTakesCash(db),
    offlineAllowance: getNumberSetting(db, 'offline_allowance', DEFAULT_OFFLINE_ALLOWANCE),
    offlineCap: getNumberSetting(db, 'offline_cap', DEFAULT_OFFLINE_CAP),
    sound: { on: getSetting(db, 'sound_on') !== '0', volume: Number.isInteger(volume) && volume >= 0 && volume <= 100 ? volume : DEFAULT_SOUND_VOLUME },
  }
}
