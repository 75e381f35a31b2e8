import type { Sql } from '../db'

export interface AuditEntry {
  municipalityId: string | null
  /** Who did it: 'admin', 'guardian:<id>', 'system:auto-topup', ... */
  actor: string
  action: string
  entity?: string
  entityId?: string
  details?: Record<string, unknown>
  at: Date
}

export async function audit(tx: Sql, e: AuditEntry): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (municipality_id, actor, action, entity, entity_id, details, created_at)
     VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7)`,
    [e.municipalityId, e.actor, e.action, e.entity ?? null, e.entityId ?? null, JSON.stringify(e.details ?? {}), e.at],
  )
}
