import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import {
  TOPICS,
  accessRequestEventSchema,
  grantStateEventSchema,
  type GrantStateEvent,
} from '@lapse/contracts';
import { isDataError } from '@lapse/db';
import { JsonProducer, KAFKA, SupervisedConsumer, parseRecord, recordHandler } from '@lapse/kafka';
import { HealthRegistry, counter } from '@lapse/platform';
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
 * A record that can never be handled goes to its topic's dead-letter topic with the reason; a
 * transient failure (Postgres down) is retried in place; a consumer that stops is restarted with
 * backoff and shows in readiness (rule 15).
 */
@Injectable()
export class PolicyConsumers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('consumers');
  private readonly consumers: SupervisedConsumer[] = [];
  private stopping = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(POLICY_CONFIG) private readonly config: PolicyConfig,
    private readonly producer: JsonProducer,
    private readonly health: HealthRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.LAPSE_POLICY_CONSUMERS_ENABLED) return;
    this.consume(
      'policy-audit-consumer',
      this.config.LAPSE_POLICY_AUDIT_GROUP,
      TOPICS.accessRequests,
      TOPICS.accessRequestsDlq,
      accessRequestEventSchema,
      async (e) => {
        await insertAudit(this.ds.manager, requestAuditEntry(e));
      },
    );
    this.consume(
      'policy-grant-state-consumer',
      this.config.LAPSE_POLICY_GRANT_STATE_GROUP,
      TOPICS.grantState,
      TOPICS.grantStateDlq,
      grantStateEventSchema,
      (e) => this.project(e),
    );
  }

  private consume<S extends z.ZodType>(
    name: string,
    groupId: string,
    topic: string,
    deadLetterTopic: string,
    schema: S,
    handle: (v: z.infer<S>) => Promise<void>,
  ): void {
    const consumer = new SupervisedConsumer(this.kafka, {
      name,
      groupId,
      topic,
      fromBeginning: true,
      handler: {
        eachMessage: recordHandler({
          name,
          topic,
          groupId,
          deadLetterTopic,
          producer: this.producer,
          parse: (raw) => parseRecord(schema, raw),
          handle: async (v) => {
            await handle(v);
            consumed.inc({ topic, outcome: 'ok' });
          },
          isPermanent: isDataError,
          isStopping: () => this.stopping,
        }),
      },
    });
    this.consumers.push(consumer);
    this.health.register(name, async () => {
      if (!consumer.running)
        throw new Error(
          `${name} ${consumer.state}${consumer.lastError ? `: ${consumer.lastError}` : ''}`,
        );
    });
    consumer.start();
  }

  /**
   * The projection keeps each grant's record of highest version; an equal version is written
   * again (a redelivery carries the same values; a state republished by the reconciler repairs a
   * row that went wrong).
   */
  private async project(e: GrantStateEvent): Promise<void> {
    if (!isUuid(e.userId) || !isUuid(e.resourceId)) return; // not a grant of this service's users
    await this.ds.query(
      `INSERT INTO policy.grant_status (user_id, resource_id, state, last_access_at, locked_at, active_until, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (user_id, resource_id) DO UPDATE SET state = EXCLUDED.state, last_access_at = EXCLUDED.last_access_at,
         locked_at = EXCLUDED.locked_at, active_until = EXCLUDED.active_until, version = EXCLUDED.version, updated_at = now()
       WHERE policy.grant_status.version <= EXCLUDED.version`,
      [e.userId, e.resourceId, e.state, e.lastAccessAt, e.lockedAt, e.activeUntil, e.version],
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.consumers.map((c) => c.stop()));
  }
}
