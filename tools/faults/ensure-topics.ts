/**
 * A stack of its own's broker (the fault suite's; the benchmarks', with the label as argument),
 * before Lapse starts on it: Lapse's topics (as the operator, who may
 * create them), and the group-offsets topic, which a fresh broker creates on the first group
 * join (slow on a busy machine: done here rather than in the services' first consumers).
 */
import { createKafka, ensureTopics } from '@lapse/kafka';
import { TOPICS } from '@lapse/contracts';
import { kafkaSecurityAs } from '@lapse/testing';

const label = process.argv[2] ?? 'faults';

async function main(): Promise<void> {
  const kafka = createKafka({
    brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
    clientId: `${label}-setup`,
    security: kafkaSecurityAs('ops'),
  });
  const created = await ensureTopics(kafka);
  process.stdout.write(`[${label}] topics created: ${created.join(', ') || 'none missing'}\n`);
  const consumer = kafka.consumer({ groupId: `${label}-warm-up` });
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.usage, fromBeginning: false });
  await consumer.run({ eachMessage: async () => undefined });
  await joined;
  await consumer.disconnect();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
