import { readFileSync } from 'node:fs';
import {
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type KafkaConfig,
  type LogEntry,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import { TOPIC_SPECS, type TopicSpec } from '@lapse/contracts';

/** How a client proves who it is to the brokers (rule 16: SASL_SSL wherever they are secured). */
export interface KafkaSecurity {
  protocol: 'PLAINTEXT' | 'SSL' | 'SASL_SSL' | 'SASL_PLAINTEXT';
  mechanism?: 'scram-sha-512' | 'scram-sha-256' | 'plain';
  username?: string;
  password?: string;
  /** PEM file of the CA of the brokers' certificates; the system's CAs when absent. */
  caFile?: string;
}

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  security?: KafkaSecurity;
}

/** The Kafka settings in a service's validated config (`KAFKA_*`, libs/config). */
export interface KafkaConnectionConfig {
  KAFKA_BROKERS: string[];
  KAFKA_SECURITY_PROTOCOL: KafkaSecurity['protocol'];
  KAFKA_SASL_MECHANISM: NonNullable<KafkaSecurity['mechanism']>;
  KAFKA_USERNAME?: string;
  KAFKA_PASSWORD?: string;
  KAFKA_CA_FILE?: string;
}

/** Client settings from the config: brokers, and ssl + sasl when the protocol asks for them. */
export function kafkaSettingsOf(c: KafkaConnectionConfig, clientId: string): KafkaSettings {
  return {
    brokers: c.KAFKA_BROKERS,
    clientId,
    security: {
      protocol: c.KAFKA_SECURITY_PROTOCOL,
      mechanism: c.KAFKA_SASL_MECHANISM,
      username: c.KAFKA_USERNAME,
      password: c.KAFKA_PASSWORD,
      caFile: c.KAFKA_CA_FILE,
    },
  };
}

/** kafkajs `ssl` and `sasl` for the security settings; throws when SASL lacks credentials. */
export function connectionOptions(s?: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (!s || s.protocol === 'PLAINTEXT') return {};
  const tls = s.protocol === 'SSL' || s.protocol === 'SASL_SSL';
  const ssl = tls ? (s.caFile ? { ca: [readFileSync(s.caFile, 'utf8')] } : true) : undefined;
  if (s.protocol === 'SSL') return { ssl };
  if (!s.username || !s.password) {
    throw new Error(`KAFKA_USERNAME and KAFKA_PASSWORD must be set with ${s.protocol}`);
  }
  const sasl = {
    mechanism: s.mechanism ?? 'scram-sha-512',
    username: s.username,
    password: s.password,
  } as SASLOptions;
  return { ssl, sasl };
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
    ...connectionOptions(s.security),
    // A TLS handshake plus SCRAM on a busy host can take more than kafkajs's 1 s default.
    connectionTimeout: 5000,
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
