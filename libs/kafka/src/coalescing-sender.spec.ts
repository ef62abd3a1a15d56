import { CoalescingSender, type OutgoingRecord } from './coalescing-sender';

/** A producer whose requests the test completes by hand. */
function manualProducer() {
  const requests: { topic: string; records: OutgoingRecord[]; done: (err?: Error) => void }[] = [];
  const send = (topic: string, records: OutgoingRecord[]) =>
    new Promise<void>((resolve, reject) =>
      requests.push({ topic, records, done: (err) => (err ? reject(err) : resolve()) }),
    );
  return { requests, send };
}

const rec = (key: string): OutgoingRecord => ({ key, value: { key } });
const settle = () => new Promise((r) => setImmediate(r));

describe('CoalescingSender', () => {
  it('sends a record alone at once, and what arrives meanwhile in the next request, in order', async () => {
    const p = manualProducer();
    const s = new CoalescingSender(p.send);
    const first = s.send('t', rec('a'));
    expect(p.requests.map((r) => r.records.map((x) => x.key))).toEqual([['a']]);
    const later = [s.send('t', rec('b')), s.send('t', rec('c')), s.send('t', rec('d'))];
    expect(p.requests).toHaveLength(1);
    p.requests[0].done();
    await first;
    await settle();
    expect(p.requests.map((r) => r.records.map((x) => x.key))).toEqual([['a'], ['b', 'c', 'd']]);
    p.requests[1].done();
    await Promise.all(later);
  });

  it('keeps topics apart and caps a request at maxBatch records', async () => {
    const p = manualProducer();
    const s = new CoalescingSender(p.send, 2);
    const sent = [s.send('t', rec('a')), s.send('u', rec('x'))];
    sent.push(s.send('t', rec('b')), s.send('t', rec('c')), s.send('t', rec('d')));
    expect(p.requests.map((r) => [r.topic, r.records.length])).toEqual([
      ['t', 1],
      ['u', 1],
    ]);
    p.requests[0].done();
    await settle();
    expect(p.requests[2].records.map((x) => x.key)).toEqual(['b', 'c']);
    p.requests[2].done();
    await settle();
    expect(p.requests[3].records.map((x) => x.key)).toEqual(['d']);
    p.requests[1].done();
    p.requests[3].done();
    await Promise.all(sent);
  });

  it('fails every caller of a failed request (each retries), and goes on with the next', async () => {
    const p = manualProducer();
    const s = new CoalescingSender(p.send);
    const a = s.send('t', rec('a'));
    const b = s.send('t', rec('b'));
    const c = s.send('t', rec('c'));
    p.requests[0].done();
    await a;
    await settle();
    p.requests[1].done(new Error('broker gone'));
    await expect(b).rejects.toThrow('broker gone');
    await expect(c).rejects.toThrow('broker gone');
    const d = s.send('t', rec('d'));
    await settle();
    expect(p.requests[2].records.map((x) => x.key)).toEqual(['d']);
    p.requests[2].done();
    await d;
  });
});
