import type { EntityManager } from 'typeorm';

export const AUDIT_CATEGORIES = ['ACCESS', 'REQUEST'] as const;
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];

export interface AuditEntryInput {
  category: AuditCategory;
  action: string;
  actorId: string | null;
  entityType: string;
  entityId: string;
  resourceId: string | null;
  userId: string | null;
  before: unknown;
  after: unknown;
  at: string;
  /** Set for entries derived from events, so a redelivered event is recorded once. */
  dedupKey?: string;
}

/** A stored entry: what was appended, with its id (the dedup key stays internal). */
export interface AuditEntry extends Omit<AuditEntryInput, 'dedupKey'> {
  id: string;
}

/** Appends one entry (the table refuses UPDATE and DELETE). Returns false when the dedup key was seen. */
export async function insertAudit(m: EntityManager, e: AuditEntryInput): Promise<boolean> {
  const rows: unknown[] = await m.query(
    `INSERT INTO policy.audit_log (category, action, actor_id, entity_type, entity_id, resource_id, user_id, before, after, at, dedup_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11)
     ON CONFLICT (dedup_key) DO NOTHING RETURNING id`,
    [
      e.category,
      e.action,
      e.actorId,
      e.entityType,
      e.entityId,
      e.resourceId,
      e.userId,
      JSON.stringify(e.before ?? null),
      JSON.stringify(e.after ?? null),
      e.at,
      e.dedupKey ?? null,
    ],
  );
  return rows.length > 0;
}
