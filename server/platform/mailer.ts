/**
 * Outgoing e-mail (a top-up's receipt), behind an interface so the server never picks a mail
 * service by itself: `ServerOptions.mailer` chooses one explicitly. 'outbox' (the demo and tests)
 * keeps each mail in the `mail_outbox` table, where a person or a test reads it; 'off' (default)
 * sends nothing. A real deployment passes its own `Mailer` (SMTP, a mail API).
 *
 * A mail may carry a `key` (e.g. `receipt:<paymentId>`): a mail sent twice under one key is kept
 * once, so a webhook delivered twice never mails a parent twice.
 */
import type { Sql } from '../db'

export interface Mail {
  to: string
  subject: string
  /** Plain text: Danish first, English beneath. */
  text: string
  /** What the mail is about ('receipt', ...). */
  kind: string
  /** Once per key: a repeated send with the same key does nothing. */
  key?: string
}

export interface Mailer {
  send(mail: Mail, at: Date): Promise<void>
}

/** The demo's and the tests' mailer: every mail is a row of `mail_outbox`. */
export class OutboxMailer implements Mailer {
  constructor(private readonly db: Sql) {}

  async send(mail: Mail, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO mail_outbox (to_address, subject, body, kind, dedupe_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dedupe_key) DO NOTHING`,
      [mail.to, mail.subject, mail.text, mail.kind, mail.key ?? null, at],
    )
  }
}

/** A Mailer, 'outbox' (the table above) or 'off' (no mail is sent). */
export type MailerOption = Mailer | 'outbox' | 'off'

export function createMailer(option: MailerOption | undefined, db: Sql): Mailer | null {
  if (option === undefined || option === 'off') return null
  return option === 'outbox' ? new OutboxMailer(db) : option
}

export interface OutboxMail {
  to: string
  subject: string
  text: string
  kind: string
  createdAt: string
}

/** The outbox's mails to an address, oldest first (demo and tests). */
export async function outboxFor(db: Sql, to: string): Promise<OutboxMail[]> {
  const { rows } = await db.query<{ to_address: string; subject: string; body: string; kind: string; created_at: Date }>(
    'SELECT to_address, subject, body, kind, created_at FROM mail_outbox WHERE to_address = $1 ORDER BY created_at, id',
    [to],
  )
  return rows.map((r) => ({ to: r.to_address, subject: r.subject, text: r.body, kind: r.kind, createdAt: r.created_at.toISOString() }))
}
