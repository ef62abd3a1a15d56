import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Consumer, Kafka } from 'kafkajs';
import { TOPICS, policyChangeEventSchema, type PolicyChangeEvent } from '@lapse/contracts';
import {
  JsonProducer,
  KAFKA,
  parseRecord,
  recordHandler,
  withKafkaRetry,
  type Parsed,
} from '@lapse/kafka';
import { counter, gauge } from '@lapse/platform';
import { PolicyClient } from '@lapse/policy-client';
import type { AccessTrackingConfig } from '../config';
import { ACCESS_TRACKING_CONFIG } from '../config.token';
import { AuthzDirectory } from './authz-directory';

const changes = counter(
  'lapse_authz_policy_changes_total',
  'policy.changes.v1 events applied to the forward-auth directory',
  ['entity'],
);
const users = gauge('lapse_authz_directory_users', 'Users known to forward-auth');
const resources = gauge('lapse_authz_directory_resources', 'Resources indexed by address');

const RETRY_MAX_MS = 5_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A `policy.changes.v1` record as the mirror reads it: the event schema, and for a user or a
 * resource (the entities it mirrors) a UUID id. Other entity types pass (they are not its
 * concern); anything else can never be applied: to `policy.changes.v1.dlq` with the reason.
 */
export function parsePolicyChange(raw: Buffer | null): Parsed<PolicyChangeEvent> {
  const r = parseRecord(policyChangeEventSchema, raw);
  if (!r.ok) return r;
  const { entityType, entityId } = r.value;
  if ((entityType === 'user' || entityType === 'resource') && !UUID.test(entityId))
    return { ok: false, error: 'entityId: must be a UUID', parsed: r.value };
  return r;
}

/**
 * Keeps the forward-auth directory (users, resources by address) in line with policy without
 * reading policy's tables: at boot a snapshot from policy's REST API (service token), then every
 * `policy.changes.v1` event about a user or a resource makes it fetch that one record again
 * (`GET /v1/users/:id`, `GET /v1/resources/:id`; a 404 removes it). Re-fetching the current
 * record, rather than applying the event's `after`, makes events read twice or out of order
 * harmless. The topic's end offset is taken before the snapshot and the consumer starts there, so
 * no change between the snapshot and the consumer is missed.
 */
@Injectable()
export class PolicyMirror implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('authz-directory');
  private consumer?: Consumer;
  private stopped = false;
  private loading?: Promise<void>;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(ACCESS_TRACKING_CONFIG) private readonly config: AccessTrackingConfig,
    private readonly directory: AuthzDirectory,
    private readonly policy: PolicyClient,
    private readonly producer: JsonProducer,
  ) {}

  /** Loads in the background: the service starts even while policy is away (forward-auth: 503). */
  onApplicationBootstrap(): void {
    this.loading = this.load().catch((e: unknown) => {
      if (!this.stopped) this.log.error({ err: e }, 'forward-auth directory failed to load');
    });
  }

  /** Resolves once the directory has its first snapshot (tests, and the readiness of authz). */
  async whenLoaded(): Promise<void> {
    await this.loading;
  }

  private async load(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    let ends: { partition: number; offset: string }[];
    try {
      ends = (
        await withKafkaRetry('reading policy.changes.v1 offsets', () =>
          admin.fetchTopicOffsets(TOPICS.policyChanges),
        )
      ).map((o) => ({ partition: o.partition, offset: o.high }));
    } finally {
      await admin.disconnect();
    }
    await this.retrying('the policy snapshot', () => this.snapshot());
    if (this.stopped) return;
    this.directory.markReady();
    this.log.log(
      `forward-auth directory loaded: ${this.directory.userCount} users, ${this.directory.resources.size} resources`,
    );
    this.consumer = this.kafka.consumer({
      groupId: this.config.LAPSE_AUTHZ_POLICY_GROUP_ID,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPICS.policyChanges, fromBeginning: false });
    await this.consumer.run({
      // Rule 15: a record that can never be applied goes to the DLQ with its reason; a refresh
      // that fails (policy away) is retried in place until it succeeds or the service stops.
      eachMessage: recordHandler({
        name: 'authz-policy-mirror',
        topic: TOPICS.policyChanges,
        groupId: this.config.LAPSE_AUTHZ_POLICY_GROUP_ID,
        deadLetterTopic: TOPICS.policyChangesDlq,
        producer: this.producer,
        parse: parsePolicyChange,
        handle: async ({ entityType, entityId }) => {
          if (entityType === 'user') await this.refreshUser(entityId);
          else if (entityType === 'resource') await this.refreshResource(entityId);
          else return;
          changes.inc({ entity: entityType });
        },
        isStopping: () => this.stopped,
        backoff: { maxMs: RETRY_MAX_MS },
      }),
    });
    for (const e of ends) this.consumer.seek({ topic: TOPICS.policyChanges, ...e });
  }

  private async snapshot(): Promise<void> {
    const [us, rs] = await Promise.all([this.policy.users(), this.policy.resources()]);
    for (const u of us) this.directory.putUser(u);
    for (const r of rs) this.directory.putResource(r);
    this.updateGauges();
  }

  private async refreshUser(id: string): Promise<void> {
    const u = await this.policy.user(id);
    if (u) this.directory.putUser(u);
    else this.directory.removeUser(id);
    this.updateGauges();
  }

  private async refreshResource(id: string): Promise<void> {
    const r = await this.policy.resource(id);
    if (r) this.directory.putResource(r);
    else this.directory.removeResource(id);
    this.updateGauges();
  }

  private updateGauges(): void {
    users.set(this.directory.userCount);
    resources.set(this.directory.resources.size);
  }

  /** Retries `fn` with backoff until it succeeds or the service stops (policy may be away). */
  private async retrying(what: string, fn: () => Promise<void>): Promise<void> {
    let delay = 200;
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        if (this.stopped) return;
        this.log.warn({ err: e }, `forward-auth directory: ${what} failed, retrying`);
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect();
  }
}
