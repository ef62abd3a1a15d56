import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Consumer, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import {
  TOPICS,
  accessRequestEventSchema,
  grantStateEventSchema,
  type GrantStateEvent,
} from '@lapse/contracts';
import { KAFKA } from '@lapse/kafka';
import { counter } from '@lapse/platform';
import { insertAudit } from '../audit/audit.repository';
import { requestAuditEntry } from '../audit/request-audit';
import { isUuid } from '../common/ids';
import { POLICY_CONFIG } from '../config.token';
import type { PolicyConfig } from '../config';

const consumed = counter(
  'lapse_policy_events_consumed_total',
  'Events consumed by the policy service',
  ['topic', 'outcome'],
);

/**
 * The policy service's Kafka consumers:
 * - access-requests.v1 → audit log (request decisions), group `policy-audit`;
 * - grants.state.v1 → grant_status projection (reports: locked now), newer versions only.
 * Bad records are logged and skipped: a consumer never stops on bad input.
 */
@Injectable()
export class PolicyConsumers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('consumers');
  private readonly consumers: Consumer[] = [];

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(POLICY_CONFIG) private readonly config: PolicyConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.LAPSE_POLICY_CONSUMERS_ENABLED) return;
    await this.consume(
      this.config.LAPSE_POLICY_AUDIT_GROUP,
      TOPICS.accessRequests,
      accessRequestEventSchema,
      async (e) => {
        await insertAudit(this.ds.manager, requestAuditEntry(e));
      },
    );
    await this.consume(
      this.config.LAPSE_POLICY_GRANT_STATE_GROUP,
      TOPICS.grantState,
      grantStateEventSchema,
      (e) => this.project(e),
    );
  }

  private async consume<S extends z.ZodType>(
    groupId: string,
    topic: string,
    schema: S,
    handle: (v: z.infer<S>) => Promise<void>,
  ): Promise<void> {
    const consumer = this.kafka.consumer({ groupId });
    this.consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        let value: unknown;
        try {
          value = JSON.parse(message.value?.toString() ?? 'null');
        } catch {
          value = undefined;
        }
        const parsed = schema.safeParse(value);
        if (!parsed.success) {
          consumed.inc({ topic, outcome: 'invalid' });
          this.log.warn({ topic, offset: message.offset }, `skipping an invalid ${topic} record`);
          return;
        }
        await handle(parsed.data);
        consumed.inc({ topic, outcome: 'ok' });
      },
    });
  }

  private async project(e: GrantStateEvent): Promise<void> {
    if (!isUuid(e.userId) || !isUuid(e.resourceId)) return; // not a grant of this service's users
    await this.ds.query(
      `INSERT INTO policy.grant_status (user_id, resource_id, state, last_access_at, locked_at, active_until, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (user_id, resource_id) DO UPDATE SET state = EXCLUDED.state, last_access_at = EXCLUDED.last_access_at,
         locked_at = EXCLUDED.locked_at, active_until = EXCLUDED.active_until, version = EXCLUDED.version, updated_at = now()
       WHERE policy.grant_status.version < EXCLUDED.version`,
      [e.userId, e.resourceId, e.state, e.lastAccessAt, e.lockedAt, e.activeUntil, e.version],
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.disconnect().catch(() => undefined)));
  }
}
