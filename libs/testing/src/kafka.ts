/**
 * Kafka clients for integration tests, each acting as the principal that may do what the test
 * does (rule 16: the broker refuses anyone else): the operator creates topics and reads any of
 * them; records are published as their topic's owner.
 */
import type { Kafka } from 'kafkajs';
import { TOPICS } from '@lapse/contracts';
import { JsonProducer, createKafka } from '@lapse/kafka';
import { kafkaSecurityAs, stack, type KafkaPrincipal } from './stack';

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
