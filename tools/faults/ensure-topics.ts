/** Creates Lapse's topics on the fault stack's broker (KAFKA_BROKERS). */
import { createKafka, ensureTopics } from '@lapse/kafka';

void ensureTopics(
  createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'faults-setup' }),
).then(
  (created) => {
    process.stdout.write(`[faults] topics created: ${created.join(', ') || 'none missing'}\n`);
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
