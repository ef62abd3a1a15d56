import type { JsonProducer } from './client';

/** What a dead-letter topic holds for each record that can never be processed. */
export interface DeadLetter {
  /** Why the record was refused. */
  error: string;
  /**
   * The refused value as received: parsed JSON when it was small and shallow enough, else its
   * raw text (cut to `MAX_ORIGINAL_BYTES`).
   */
  original: unknown;
  /** Where it came from, so an operator can find it again, and which consumer group refused it. */
  source?: { topic: string; partition: number; offset: string; group?: string };
  /** Set when `original` is a cut copy; `originalBytes` is the size received. */
  truncated?: boolean;
  originalBytes?: number;
}

/** The most of a refused value a dead letter keeps. */
export const MAX_ORIGINAL_BYTES = 16 * 1024;
/** Deeper JSON is kept as text: JSON.stringify recurses and would overflow the stack. */
export const MAX_ORIGINAL_DEPTH = 32;
/** A produce call to a dead-letter topic carries at most this many bytes of values. */
export const MAX_DEAD_LETTER_BATCH_BYTES = 256 * 1024;

/** Nesting depth of a parsed JSON value, counted without recursion (stops past `limit`). */
export function jsonDepth(value: unknown, limit = MAX_ORIGINAL_DEPTH): number {
  let max = 0;
  const stack: { v: unknown; d: number }[] = [{ v: value, d: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { v, d } = item;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push({ v: child, d: depth });
  }
  return max;
}

/** Cuts a string to at most `maxBytes` of UTF-8, on a character boundary. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const cut = Buffer.from(text, 'utf8').subarray(0, maxBytes).toString('utf8');
  // A multi-byte character cut in half decodes as U+FFFD at the end: drop it.
  return cut.endsWith('\uFFFD') ? cut.slice(0, -1) : cut;
}

/** Cuts an error message to a readable size. */
export function boundedReason(error: unknown, maxChars = 1000): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}…`;
}

/**
 * A dead letter for a raw record value, safe to serialise whatever the value is: a value that
 * is too large or too deep to copy as JSON is kept as (cut) text instead.
 */
export function deadLetter(
  error: unknown,
  raw: Buffer | string | null,
  source?: DeadLetter['source'],
  parsed?: unknown,
): DeadLetter {
  const text = raw === null ? '' : typeof raw === 'string' ? raw : raw.toString('utf8');
  const bytes = typeof raw === 'string' ? Buffer.byteLength(raw, 'utf8') : (raw?.length ?? 0);
  const reason = boundedReason(error);
  const base = source ? { error: reason, source } : { error: reason };
  if (bytes <= MAX_ORIGINAL_BYTES) {
    let value = parsed;
    if (value === undefined) {
      try {
        value = JSON.parse(text);
      } catch {
        return { ...base, original: text };
      }
    }
    if (jsonDepth(value) <= MAX_ORIGINAL_DEPTH) return { ...base, original: value };
    return { ...base, original: text };
  }
  return {
    ...base,
    original: truncateUtf8(text, MAX_ORIGINAL_BYTES),
    truncated: true,
    originalBytes: bytes,
  };
}

/** Splits messages into runs whose serialised values stay under `maxBytes` (at least one each). */
export function chunkByBytes<T>(
  items: readonly T[],
  size: (item: T) => number,
  maxBytes: number,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item);
    if (current.length > 0 && bytes + n > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Sends dead letters to a topic in produce calls bounded by bytes (acks=all, like every send). */
export async function sendDeadLetters(
  producer: JsonProducer,
  topic: string,
  letters: readonly { key: string | null; value: DeadLetter }[],
  maxBatchBytes = MAX_DEAD_LETTER_BATCH_BYTES,
): Promise<void> {
  const sized = letters.map((l) => ({ ...l, bytes: Buffer.byteLength(JSON.stringify(l.value)) }));
  for (const chunk of chunkByBytes(sized, (l) => l.bytes + (l.key?.length ?? 0), maxBatchBytes)) {
    await producer.send(
      topic,
      chunk.map(({ key, value }) => ({
        key: key === null ? null : truncateUtf8(key, 1024),
        value,
      })),
    );
  }
}
