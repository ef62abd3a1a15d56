import type { AcceptedUsage } from './usage-validation';
import { UsageWriter, type ConsumedBatch, type PendingWrite } from './usage-writer';

const use = (key: string, at: number): AcceptedUsage => ({
  key,
  userId: key.split(':')[0],
  resourceId: key.split(':')[1],
  at,
});
const batch = (
  partition: number,
  nextOffset: number,
  accepted: AcceptedUsage[],
): ConsumedBatch => ({
  partition,
  nextOffset,
  accepted,
  usualRows: [],
  usualAts: [],
  rows: accepted.map(() => -1),
  rejects: [],
  publishedAt: accepted.map(() => 1),
  consumedAt: 1,
});

/** A write that finishes when the test says so. */
function harness(maxPendingEvents = 10) {
  const log: string[] = [];
  const writes: PendingWrite[] = [];
  const finish: (() => void)[] = [];
  const commits: Map<number, number>[] = [];
  let failCommits = false;
  let failWrites = false;
  const writer = new UsageWriter(
    {
      write: (w) => {
        writes.push(w);
        log.push(`write ${[...w.latest.values()].map((u) => `${u.key}@${u.at}`).join(',')}`);
        return new Promise<void>((resolve, reject) =>
          finish.push(() => (failWrites ? reject(new Error('stopping')) : resolve())),
        );
      },
      commit: async (offsets) => {
        if (failCommits) throw new Error('rebalancing');
        commits.push(new Map(offsets));
        log.push(`commit ${[...offsets].map(([p, o]) => `${p}:${o}`).join(',')}`);
      },
      durable: (w) => log.push(`durable ${w.accepted}`),
      commitFailed: () => log.push('commit failed'),
    },
    maxPendingEvents,
  );
  const settle = () => new Promise((r) => setImmediate(r));
  return {
    writer,
    log,
    writes,
    commits,
    settle,
    failCommits: (v: boolean) => (failCommits = v),
    failWrites: (v: boolean) => (failWrites = v),
    /** Lets the oldest unfinished write finish, then lets the writer go on. */
    finishWrite: async () => {
      const next = finish.shift();
      if (!next) throw new Error('no write in flight');
      next();
      await settle();
    },
  };
}

describe('UsageWriter', () => {
  it('writes behind the consumer: batches consumed during a write are merged into the next, coalesced per grant', async () => {
    const h = harness();
    expect(await h.writer.add(batch(0, 3, [use('a:1', 5), use('b:1', 2)]))).toBe(true);
    // The first write is in flight; two more batches arrive from two partitions.
    await h.writer.add(batch(1, 8, [use('a:1', 9), use('c:1', 1)]));
    await h.writer.add(batch(0, 5, [use('a:1', 7), use('b:1', 4)]));
    expect(h.writes).toHaveLength(1);
    await h.finishWrite();
    expect(h.writes).toHaveLength(2);
    expect([...h.writes[1].latest.values()].map((u) => [u.key, u.at])).toEqual([
      ['a:1', 9],
      ['c:1', 1],
      ['b:1', 4],
    ]);
    expect(h.writes[1]).toMatchObject({ accepted: 4, batches: 2 });
    await h.finishWrite();
    expect(h.log).toEqual([
      'write a:1@5,b:1@2',
      'commit 0:3',
      'durable 2',
      'write a:1@9,c:1@1,b:1@4',
      'commit 1:8,0:5',
      'durable 4',
    ]);
  });

  it('coalesces the usual uses by row over merged batches, keeping the latest time, beside the others', async () => {
    const h = harness(100);
    await h.writer.add(batch(0, 1, [use('z:1', 1)]));
    await h.writer.add({ ...batch(0, 3, []), usualRows: [4, 2, 4], usualAts: [50, 20, 40] });
    await h.writer.add({
      ...batch(1, 9, [use('y:1', 3)]),
      usualRows: [2, 7, 4],
      usualAts: [10, 70, 60],
    });
    await h.finishWrite();
    const w = h.writes[1];
    const byRow = Array.from({ length: w.latestByRow.size }, (_, i) => [
      w.latestByRow.row(i),
      w.latestByRow.time(i),
    ]);
    expect(byRow).toEqual([
      [4, 60],
      [2, 20],
      [7, 70],
    ]);
    expect([...w.latest.values()].map((u) => [u.key, u.at])).toEqual([['y:1', 3]]);
    expect(w).toMatchObject({ accepted: 7, batches: 2 });
    expect([...w.offsets]).toEqual([
      [0, 3],
      [1, 9],
    ]);
  });

  it('coalesces by projection row, keeping apart the same grant spelled otherwise and grants the projection does not know', async () => {
    const h = harness();
    await h.writer.add(batch(0, 1, [use('z:1', 1)]));
    await h.writer.add({
      ...batch(0, 2, [
        use('a:1', 5),
        use('a:1', 9),
        use('A:1', 7),
        use('A:1', 3),
        use('b:1', 4),
        use('c:1', 2),
      ]),
      rows: [0, 0, 0, 0, -1, -1],
    });
    await h.writer.add({ ...batch(0, 3, [use('b:1', 6), use('a:1', 8)]), rows: [1, 0] });
    await h.finishWrite();
    expect(h.writes[1].latest).toEqual(
      new Map<number | string, ReturnType<typeof use>>([
        [0, use('a:1', 9)],
        ['A:1', use('A:1', 7)],
        ['b:1', use('b:1', 4)],
        ['c:1', use('c:1', 2)],
        [1, use('b:1', 6)],
      ]),
    );
  });

  it('commits an offset only once the write holding its batch is durable', async () => {
    const h = harness();
    await h.writer.add(batch(0, 10, [use('a:1', 1)]));
    await h.writer.add(batch(0, 20, [use('a:1', 2)]));
    await h.settle();
    expect(h.commits).toEqual([]);
    await h.finishWrite();
    expect(h.commits).toEqual([new Map([[0, 10]])]);
    await h.finishWrite();
    expect(h.commits).toEqual([new Map([[0, 10]]), new Map([[0, 20]])]);
  });

  it('makes the consumer wait while the next write is full, and lets it go when that write starts', async () => {
    const h = harness(3);
    await h.writer.add(batch(0, 1, [use('a:1', 1)]));
    await h.writer.add(batch(0, 2, [use('b:1', 1), use('c:1', 1), use('d:1', 1)]));
    let added = false;
    const third = h.writer.add(batch(0, 3, [use('e:1', 1)])).then(() => (added = true));
    await h.settle();
    expect(added).toBe(false);
    expect(h.writer.pendingEvents).toBe(3);
    await h.finishWrite(); // the second write starts with b, c, d: room again
    await third;
    expect(h.writer.pendingEvents).toBe(1);
    expect(h.writes.map((w) => w.accepted)).toEqual([1, 3]);
  });

  it('retries a failed commit with the next write', async () => {
    const h = harness();
    await h.writer.add(batch(0, 10, [use('a:1', 1)]));
    await h.writer.add(batch(1, 7, [use('b:1', 1)]));
    h.failCommits(true);
    await h.finishWrite();
    expect(h.log).toContain('commit failed');
    h.failCommits(false);
    await h.finishWrite();
    expect(h.commits).toEqual([
      new Map([
        [0, 10],
        [1, 7],
      ]),
    ]);
  });

  it('on close finishes what was handed over and refuses more; a write that gives up is never committed', async () => {
    const h = harness();
    await h.writer.add(batch(0, 10, [use('a:1', 1)]));
    await h.writer.add(batch(0, 20, [use('a:1', 2)]));
    const closed = h.writer.close();
    await h.finishWrite();
    h.failWrites(true);
    await h.finishWrite();
    await closed;
    expect(h.commits).toEqual([new Map([[0, 10]])]);
    expect(h.log.filter((l) => l.startsWith('durable'))).toEqual(['durable 1']);
    expect(await h.writer.add(batch(0, 30, [use('a:1', 3)]))).toBe(false);
    expect(h.writes).toHaveLength(2);
  });
});
