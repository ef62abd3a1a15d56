/**
 * A stack of its own's broker (the fault suite's; the benchmarks', with the label as argument),
 * before Lapse starts on it: Lapse's topics (as the operator, who may
 * create them), and the group-offsets topic, which a fresh broker creates on the first group
 * join (slow on a busy machine: done here rather than in the services' first consumers).
 */
import type { Kafka } from 'kafkajs';
import { createKafka, ensureTopics } from '@lapse/kafka';
import { TOPICS, TOPIC_SPECS } from '@lapse/contracts';
import { kafkaSecurityAs, waitFor } from '@lapse/testing';

const label = process.argv[2] ?? 'faults';
/** `--fresh`: delete Lapse's topics first, so a run reads no record an earlier run left. */
const fresh = process.argv.includes('--fresh');

/** Deletes Lapse's topics that exist and waits until the broker no longer lists them. */
async function deleteLapseTopics(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const lapse = new Set<string>(TOPIC_SPECS.map((s) => s.topic));
    const existing = (await admin.listTopics()).filter((t) => lapse.has(t));
    if (existing.length === 0) return;
    await admin.deleteTopics({ topics: existing, timeout: 30_000 });
    await waitFor(
      async () => ((await admin.listTopics()).some((t) => lapse.has(t)) ? undefined : true),
      { timeoutMs: 30_000, intervalMs: 100, what: 'the deleted topics to go' },
    );
    process.stdout.write(`[${label}] topics deleted: ${existing.join(', ')}\n`);
  } finally {
    await admin.disconnect();
  }
}

async function main(): Promise<void> {
  const kafka = createKafka({
    brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
    clientId: `${label}-setup`,
    security: kafkaSecurityAs('ops'),
  });
  if (fresh) await deleteLapseTopics(kafka);
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
