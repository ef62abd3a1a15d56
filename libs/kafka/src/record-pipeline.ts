import { Logger } from '@nestjs/common';
import type { EachMessagePayload } from 'kafkajs';
import type { z } from 'zod';
import { counter } from '@lapse/platform';
import type { JsonProducer } from './client';
import { boundedReason, deadLetter, sendDeadLetters } from './dead-letter';

const outcomes = counter(
  'lapse_consumer_records_total',
  'Records handled by Lapse consumers, by outcome (ok, dead_lettered)',
  ['consumer', 'topic', 'outcome'],
);
const deadLettered = counter(
  'lapse_dead_letters_total',
  'Records sent to a dead-letter topic, by source topic',
  ['topic'],
);
const retries = counter(
  'lapse_consumer_retries_total',
  'Transient failures retried in place by Lapse consumers',
  ['consumer', 'topic'],
);

/** Counts dead letters of a topic (consumers that write their own DLQ batches call this). */
export function countDeadLetters(topic: string, n: number): void {
  if (n > 0) deadLettered.inc({ topic }, n);
}

/** Records larger than this are refused before they are parsed (unless a pipeline says otherwise). */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string; parsed?: unknown };

/**
 * Parses a record value as JSON against a schema, refusing oversized values unparsed. The error
 * names the first failing field. A deeply nested value is fine here: JSON.parse is iterative and
 * a schema stops at the first level that does not fit.
 */
export function parseRecord<S extends z.ZodType>(
  schema: S,
  raw: Buffer | null,
  maxBytes = DEFAULT_MAX_RECORD_BYTES,
): Parsed<z.infer<S>> {
  if (raw === null) return { ok: false, error: 'value is empty (tombstone)' };
  if (raw.length > maxBytes)
    return { ok: false, error: `value is ${raw.length} bytes, more than ${maxBytes}` };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, error: 'value is not JSON' };
  }
  const r = schema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  return {
    ok: false,
    error: `invalid event: ${issue.path.join('.') || 'value'}: ${issue.message}`,
    parsed: json,
  };
}

export interface RecordPipeline<T> {
  /** For logs and metrics, e.g. `policy-audit`. */
  name: string;
  topic: string;
  /** The consumer group (named in each dead letter's source). */
  groupId?: string;
  deadLetterTopic: string;
  producer: JsonProducer;
  parse: (raw: Buffer | null) => Parsed<T>;
  handle: (value: T, payload: EachMessagePayload) => Promise<void>;
  /** An error no retry can fix (bad data the schema let through): dead-letter it. */
  isPermanent?: (err: unknown) => boolean;
  /** True once the consumer is stopping: a retry loop gives up and the offset is not committed. */
  isStopping: () => boolean;
  backoff?: { initialMs?: number; maxMs?: number };
}

/**
 * An `eachMessage` handler that never stops on one record (rule 15): a record that cannot be
 * parsed, or that fails permanently, goes to the dead-letter topic with the reason and the
 * partition moves on; a transient failure (a dependency down) is retried in place with backoff,
 * heartbeating, so the record is neither lost nor skipped.
 */
export function recordHandler<T>(
  p: RecordPipeline<T>,
): (payload: EachMessagePayload) => Promise<void> {
  const log = new Logger(p.name);
  const initial = p.backoff?.initialMs ?? 200;
  const max = p.backoff?.maxMs ?? 10_000;
  const toDlq = async (payload: EachMessagePayload, error: unknown, parsed?: unknown) => {
    const { message, partition, topic } = payload;
    const letter = deadLetter(
      error,
      message.value,
      { topic, partition, offset: message.offset, ...(p.groupId ? { group: p.groupId } : {}) },
      parsed,
    );
    await sendDeadLetters(p.producer, p.deadLetterTopic, [
      { key: message.key ? message.key.toString('utf8') : null, value: letter },
    ]);
    countDeadLetters(p.topic, 1);
    outcomes.inc({ consumer: p.name, topic: p.topic, outcome: 'dead_lettered' });
    log.warn({
      msg: `record sent to ${p.deadLetterTopic}`,
      partition,
      offset: message.offset,
      error: letter.error,
    });
  };
  return async (payload) => {
    const parsed = p.parse(payload.message.value);
    if (!parsed.ok) {
      await retrying(() => toDlq(payload, parsed.error, parsed.parsed));
      return;
    }
    let delay = initial;
    for (let attempt = 1; ; attempt++) {
      try {
        await p.handle(parsed.value, payload);
        outcomes.inc({ consumer: p.name, topic: p.topic, outcome: 'ok' });
        return;
      } catch (err) {
        if (p.isPermanent?.(err)) {
          await retrying(() => toDlq(payload, boundedReason(err)));
          return;
        }
        if (p.isStopping()) throw err;
        retries.inc({ consumer: p.name, topic: p.topic });
        log.warn({
          err,
          msg: `handling a ${p.topic} record failed; retrying in ${delay} ms`,
          partition: payload.partition,
          offset: payload.message.offset,
          attempt,
        });
        await pause(delay, payload.heartbeat);
        delay = Math.min(delay * 2, max);
      }
    }
  };

  /** A dead-letter send that fails (broker down) is retried like any transient failure. */
  async function retrying(send: () => Promise<void>): Promise<void> {
    let delay = initial;
    for (;;) {
      try {
        return await send();
      } catch (err) {
        if (p.isStopping()) throw err;
        log.warn({ err, msg: `sending to ${p.deadLetterTopic} failed; retrying in ${delay} ms` });
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, max);
      }
    }
  }
}

/** Waits `ms`, heartbeating every 3 s so the group keeps the partition here. */
async function pause(ms: number, heartbeat: () => Promise<void>): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(3000, end - Date.now())));
    await heartbeat().catch(() => undefined);
  }
}
