/**
 * The consumer-lag monitor against the real broker, for groups that have committed nothing yet:
 * a group that starts at the log end of a topic full of older records is current as soon as it
 * runs (those records are not its lag), not stale until some new record arrives; a record
 * published after that is lag until the group commits it; a group starting from the beginning
 * with records still to read is not current. (Here, not in libs/kafka: libs/testing depends on
 * libs/kafka, so a kafka spec may not use the testing harness.)
 */
import { waitFor, kafkaSecurityAs, stack, uniqueSuffix } from '@lapse/testing';
import type { Consumer, Kafka } from 'kafkajs';
import { ConsumerLagMonitor, createKafka } from '@lapse/kafka';

describe('ConsumerLagMonitor (real Kafka): groups with no committed offset', () => {
  const suffix = uniqueSuffix();
  // The operator's scratch topics (`ops.`): it may create, write and read them.
  const topic = `ops.lag-${suffix}`;
  let kafka: Kafka;
  const consumers: Consumer[] = [];
  const monitors: ConsumerLagMonitor[] = [];

  const publish = async (n: number) => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    });
    await producer.disconnect();
  };

  /** A consumer of `groupId` from the log end; resolves once it has joined and fetches. */
  const consume = async (groupId: string) => {
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    consumers.push(consumer);
    const fetching = new Promise<void>((resolve) =>
      consumer.on(consumer.events.FETCH_START, () => resolve()),
    );
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({ eachMessage: async () => undefined });
    await fetching;
  };

  const monitor = (groupId: string, fromBeginning: boolean) => {
    const m = new ConsumerLagMonitor(kafka, { groupId, topic, fromBeginning });
    monitors.push(m);
    return m;
  };

  beforeAll(async () => {
    kafka = createKafka({
      brokers: stack.kafkaBrokers,
      clientId: `lag-test-${suffix}`,
      security: kafkaSecurityAs('ops'),
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2 }] });
    await admin.disconnect();
    await publish(50);
  });

  afterAll(async () => {
    for (const m of monitors) await m.stop();
    for (const c of consumers) await c.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('a group starting at the log end is current once it runs, with nothing consumed yet', async () => {
    const group = `lag-end-${suffix}`;
    const m = monitor(group, false);
    // Nobody in the group yet: its position is unknown, so it cannot vouch for anything.
    await m.poll();
    expect(m.currentAsOf).toBe(0);
    expect(m.staleness()).toBe(Infinity);
    await consume(group);
    // Running, nothing new published, nothing committed: current (the 50 older records are not its lag).
    await waitFor(
      async () => {
        await m.poll();
        return m.currentAsOf > 0 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the idle group to be current' },
    );
    expect(m.lag).toBe(0);
    const admin = kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    await admin.disconnect();
    expect(committed.partitions.every((p) => Number(p.offset) < 0)).toBe(true);

    // A record published now is lag until the group has processed and committed it (the
    // consumer, paused, stays in the group without fetching; then it resumes).
    const consumer = consumers[consumers.length - 1];
    consumer.pause([{ topic }]);
    const publishedAt = Date.now();
    await publish(1);
    await m.poll();
    expect(m.currentAsOf).toBeLessThan(publishedAt);
    expect(m.lag).toBe(1);
    consumer.resume([{ topic }]);
    await waitFor(
      async () => {
        await m.poll();
        return m.currentAsOf >= publishedAt ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the new record committed' },
    );
    expect(m.lag).toBe(0);
  });

  it('a group starting from the beginning has the records already there to read', async () => {
    const m = monitor(`lag-start-${suffix}`, true);
    await m.poll();
    await m.poll();
    expect(m.currentAsOf).toBe(0);
    expect(m.lag).toBeGreaterThanOrEqual(50);
  });
});
