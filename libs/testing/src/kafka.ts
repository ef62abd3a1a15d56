/**
 * Kafka clients for integration tests, each acting as the principal that may do what the test
 * does (rule 16: the broker refuses anyone else): the operator creates topics and reads any of
 * them; records are published as their topic's owner.
 */
import { Partitioners, type Kafka } from 'kafkajs';
import { TOPICS } from '@lapse/contracts';
import { JsonProducer, createKafka } from '@lapse/kafka';
import { kafkaSecurityAs, stack, uniqueSuffix, waitFor, type KafkaPrincipal } from './stack';

/** A client of the stack's brokers as `principal`. */
export function kafkaAs(principal: KafkaPrincipal, clientId: string): Kafka {
  return createKafka({
    brokers: stack.kafkaBrokers,
    clientId,
    security: kafkaSecurityAs(principal),
  });
}

/** Who publishes each topic (the only principal whose records the broker takes). */
export const TOPIC_OWNERS: Record<string, KafkaPrincipal> = {
  [TOPICS.usage]: 'proxy',
  [TOPICS.grantState]: 'grant-worker',
  [TOPICS.policyChanges]: 'policy',
  [TOPICS.accessRequests]: 'requests',
  [TOPICS.usageDlq]: 'access-tracking',
  [TOPICS.grantStateDlq]: 'access-tracking',
  [TOPICS.policyChangesDlq]: 'access-tracking',
  [TOPICS.accessRequestsDlq]: 'notifications',
};

/**
 * A JsonProducer that publishes each record as its topic's owner: tests stand in for the
 * grant worker, a proxy or the requests service without any principal writing another's topic.
 */
export class TopicOwnersProducer extends JsonProducer {
  private readonly byOwner = new Map<KafkaPrincipal, JsonProducer>();

  constructor(private readonly clientId: string) {
    super(kafkaAs('ops', clientId));
  }

  override async connect(): Promise<void> {
    // Producers connect on first send, as the owner of what they send.
  }

  override async send(
    topic: string,
    messages: { key: string | null; value: unknown; headers?: Record<string, string> }[],
  ): Promise<void> {
    const owner = TOPIC_OWNERS[topic];
    if (!owner) throw new Error(`no owner known for topic ${topic}`);
    let p = this.byOwner.get(owner);
    if (!p) {
      p = new JsonProducer(kafkaAs(owner, `${this.clientId}-${owner}`));
      this.byOwner.set(owner, p);
    }
    await p.send(topic, messages);
  }

  override async disconnect(): Promise<void> {
    await Promise.all([...this.byOwner.values()].map((p) => p.disconnect()));
    this.byOwner.clear();
  }
}

/**
 * Commits the topic's end offsets for `groupId` (a new group with no members): shared topics hold
 * other suites' records, so a suite's group starts at the current end.
 */
export async function positionAtEnd(kafka: Kafka, groupId: string, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Right after a broker restart leadership may still move: retry until it answers.
    await waitFor(
      async () => {
        const offsets = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({
          groupId,
          topic,
          partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })),
        });
        return true;
      },
      { intervalMs: 500, what: `offsets of ${topic}` },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Sends raw bytes (not JSON-encoded) to a topic as its owner: for malformed records. */
export async function sendRaw(
  topic: string,
  messages: { key: string; value: string }[],
): Promise<void> {
  const owner = TOPIC_OWNERS[topic];
  if (!owner) throw new Error(`no owner known for topic ${topic}`);
  const producer = kafkaAs(owner, `test-raw-${owner}-${uniqueSuffix()}`).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/** A record a {@link readTopic} reader kept: its key and what `parse` made of its value. */
export interface ReadRecord<T> {
  key: string;
  value: T;
  /** The record's Kafka timestamp (epoch ms: when its producer wrote it). */
  timestamp: number;
}

export interface TopicReader<T> {
  /** Every kept record, in arrival order. */
  records: ReadRecord<T>[];
  /** The kept values per key, in arrival order. */
  byKey: Map<string, T[]>;
  stop: () => Promise<void>;
}

/**
 * Reads `topic` from its current end (as of this call) on a new group as the operator, keeping
 * what `parse` returns for a record's JSON value (undefined: not this suite's, skipped). Records
 * that are not JSON are skipped (suites put malformed records on shared topics on purpose). A
 * rebalance re-reads from the last commit: each Kafka record (partition, offset) counts once, so
 * only records really produced twice show twice.
 */
export async function readTopic<T>(
  topic: string,
  parse: (value: unknown, key: string) => T | undefined,
  { groupId = `test-reader-${uniqueSuffix()}` }: { groupId?: string } = {},
): Promise<TopicReader<T>> {
  const kafka = kafkaAs('ops', groupId);
  await positionAtEnd(kafka, groupId, topic);
  const records: ReadRecord<T>[] = [];
  const byKey = new Map<string, T[]>();
  const seen = new Set<string>();
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const at = `${partition}:${message.offset}`;
        if (seen.has(at)) return;
        seen.add(at);
        let json: unknown;
        try {
          json = JSON.parse(message.value?.toString() ?? 'null');
        } catch {
          return;
        }
        const key = message.key?.toString() ?? '';
        const value = parse(json, key);
        if (value === undefined) return;
        records.push({ key, value, timestamp: Number(message.timestamp) });
        byKey.set(key, [...(byKey.get(key) ?? []), value]);
      },
    });
  } catch (e) {
    await consumer.disconnect();
    throw e;
  }
  return {
    records,
    byKey,
    stop: () => consumer.disconnect(),
  };
}
