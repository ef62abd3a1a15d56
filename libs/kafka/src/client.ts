import { Kafka, Partitioners, logLevel, type Admin, type LogEntry, type Producer } from 'kafkajs';
import { TOPIC_SPECS, type TopicSpec } from '@lapse/contracts';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
}

const LEVELS: Record<number, string> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs logs as JSON lines on stderr like the rest of the service (warn and above). */
function jsonLogCreator(clientId: string) {
  return () =>
    ({ level, log, namespace }: LogEntry) => {
      const { message, timestamp: _t, ...extra } = log;
      process.stderr.write(
        JSON.stringify({
          level: LEVELS[level] ?? 'info',
          time: new Date().toISOString(),
          service: clientId,
          component: `kafka.${namespace}`,
          msg: message,
          ...extra,
        }) + '\n',
      );
    };
}

export function createKafka(s: KafkaSettings): Kafka {
  return new Kafka({
    clientId: s.clientId,
    brokers: s.brokers,
    logLevel: logLevel.WARN,
    logCreator: jsonLogCreator(s.clientId),
    retry: { initialRetryTime: 200, retries: 8 },
  });
}

/** Creates the Lapse topics that do not exist yet (kafkajs cannot auto-create on subscribe under KRaft). */
export async function ensureTopics(
  kafka: Kafka,
  specs: readonly TopicSpec[] = TOPIC_SPECS,
): Promise<string[]> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.numPartitions,
          replicationFactor: 1,
          configEntries: s.configEntries,
        })),
      });
    }
    return missing.map((s) => s.topic);
  } finally {
    await admin.disconnect();
  }
}

/** An idempotent producer that sends JSON values. */
export class JsonProducer {
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect();
    return this.connected;
  }

  async send(
    topic: string,
    messages: { key: string | null; value: unknown; headers?: Record<string, string> }[],
  ): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    await this.producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({
        key: m.key,
        value: JSON.stringify(m.value),
        headers: m.headers,
      })),
    });
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = undefined;
  }
}
