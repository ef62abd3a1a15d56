import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { TOPICS, type PolicyChangeEvent } from '@lapse/contracts';
import { enqueue } from '@lapse/db';
import { SCHEMA } from '../db/data-source';
import { insertAudit } from '../audit/audit.repository';
import { insertSyncJobs, type SyncJobSpec } from '../grant-sync/sync-jobs.repository';

export interface PolicyChange {
  /** e.g. resource.created, assignment.put, group.members.changed */
  kind: string;
  entityType: string;
  entityId: string;
  actorId: string | null;
  /** The resource concerned, when there is one (audit filter). */
  resourceId?: string | null;
  userId?: string | null;
  before: unknown;
  after: unknown;
  /** The grants this change affects, to be brought in line with policy by the sync worker. */
  sync?: SyncJobSpec[];
  /** When the change is recorded on behalf of a retried caller: recorded once per key. */
  dedupKey?: string;
  /** When it happened (ISO); default now. */
  at?: string;
}

/**
 * Records a policy change inside the caller's transaction: the audit entry (ACCESS, before/after),
 * the policy.changes.v1 event (outbox) and the grant sync jobs. Either all of it commits with the
 * change, or none of it: a crash after commit loses nothing (the relay and the sync worker resume).
 */
@Injectable()
export class ChangeRecorder {
  /** Returns false, having written nothing, when `dedupKey` was recorded before. */
  async record(m: EntityManager, c: PolicyChange): Promise<boolean> {
    const at = c.at ?? new Date().toISOString();
    const fresh = await insertAudit(m, {
      category: 'ACCESS',
      action: c.kind,
      actorId: c.actorId,
      entityType: c.entityType,
      entityId: c.entityId,
      resourceId: c.resourceId ?? null,
      userId: c.userId ?? null,
      before: c.before ?? null,
      after: c.after ?? null,
      at,
      dedupKey: c.dedupKey,
    });
    if (!fresh) return false;
    const event: PolicyChangeEvent = {
      id: randomUUID(),
      kind: c.kind,
      entityType: c.entityType,
      entityId: c.entityId,
      actorId: c.actorId,
      at,
      before: c.before ?? null,
      after: c.after ?? null,
    };
    await enqueue(m, SCHEMA, [{ topic: TOPICS.policyChanges, key: c.entityId, value: event }]);
    if (c.sync?.length) await insertSyncJobs(m, c.sync);
    return true;
  }
}
