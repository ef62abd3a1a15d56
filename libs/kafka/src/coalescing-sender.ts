/**
 * Records to one topic, sent together: while a produce request for a topic is in flight, the
 * records given meanwhile wait and go in the next request, all of them at once (up to `maxBatch`).
 * Alone, a record goes at once; under a burst (thousands of grant workflows publishing their state
 * together) one request carries hundreds, instead of a request and an acknowledgement each. Each
 * caller's promise settles with the request that carried its record; the order of records per
 * topic is the order of the calls.
 */
export interface OutgoingRecord {
  key: string | null;
  value: unknown;
  headers?: Record<string, string>;
}

export type SendRecords = (topic: string, records: OutgoingRecord[]) => Promise<void>;

interface Waiting {
  record: OutgoingRecord;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class CoalescingSender {
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly sendRecords: SendRecords,
    private readonly maxBatch = 500,
  ) {}

  send(topic: string, record: OutgoingRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const queue = this.waiting.get(topic) ?? [];
      queue.push({ record, resolve, reject });
      this.waiting.set(topic, queue);
      if (!this.inFlight.has(topic)) this.flush(topic);
    });
  }

  private flush(topic: string): void {
    const queue = this.waiting.get(topic) ?? [];
    if (queue.length === 0) return;
    const batch = queue.splice(0, this.maxBatch);
    this.inFlight.add(topic);
    this.sendRecords(
      topic,
      batch.map((w) => w.record),
    )
      .then(
        () => batch.forEach((w) => w.resolve()),
        (err: unknown) => batch.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        this.inFlight.delete(topic);
        this.flush(topic);
      });
  }
}
