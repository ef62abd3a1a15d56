import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import QueryStream from 'pg-query-stream';
import { PolicyHarness } from './testing/policy-harness';

const ROWS = 100_000;
const BATCH = 500;

// A real full GC, so heap figures are live memory, not garbage waiting for collection.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const liveHeap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

/**
 * Scale: a 100,000-row report streams. The app runs in this process, so the heap measured here
 * is the server's; the client counts lines as they arrive and keeps no body.
 */
describe('a 100,000-row CSV report (real Postgres)', () => {
  let h: PolicyHarness;
  let admin: string;

  beforeAll(async () => {
    h = await PolicyHarness.start('policy_report_stream', { sync: false });
    admin = await h.token(await h.seedUser('admin@example.com', ['ADMIN']));
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await h?.stop();
  });

  const api = (method: string, path: string, body?: unknown) => h.ok(method, path, admin, body);

  it('streams every row in chunks while the server is still reading, with flat memory', async () => {
    const g = (await api('POST', '/v1/groups', { name: 'all-staff' })).id as string;
    const r = (
      await api('POST', '/v1/resources', {
        name: 'Intranet',
        address: 'intranet',
        policy: { autoLock: null, accessRequests: null },
      })
    ).id as string;
    await h.ds.query(
      `INSERT INTO policy.users (email, name) SELECT 'staff' || i || '@x.io', 'Staff member ' || i FROM generate_series(1, ${ROWS}) AS i`,
    );
    await h.ds.query(
      `INSERT INTO policy.memberships (group_id, user_id) SELECT $1, id FROM policy.users WHERE email LIKE 'staff%@x.io'`,
      [g],
    );
    await api('PUT', `/v1/resources/${r}/assignments/${g}`, {});

    // How many batches the server has asked Postgres for (each _read fetches at most BATCH rows).
    let batchesRead = 0;
    const read = QueryStream.prototype._read;
    jest.spyOn(QueryStream.prototype, '_read').mockImplementation(function (
      this: QueryStream,
      size: number,
    ) {
      batchesRead++;
      return read.call(this, size);
    });

    const before = liveHeap();
    const res = await fetch(`${h.url}/v1/resources/${r}/report.csv`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(res.headers.get('content-length')).toBeNull();

    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let lines = 0;
    let bytes = 0;
    let chunks = 0;
    let header = '';
    let lastLine = '';
    let batchesAtFirstRow = -1;
    let midGrowth: number | undefined;
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      bytes += value.byteLength;
      const text = decoder.decode(value, { stream: true });
      if (lines === 0) header += text.slice(0, 400);
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
      lastLine = (lastLine + text).slice(-400);
      // The first data row (line 2) is here: how much had the server read from Postgres by then?
      if (batchesAtFirstRow < 0 && lines >= 2) batchesAtFirstRow = batchesRead;
      // Half way through: the server's live heap (it is this process) against the start.
      if (midGrowth === undefined && lines >= ROWS / 2) midGrowth = liveHeap() - before;
    }
    const endGrowth = liveHeap() - before;

    expect(lines).toBe(ROWS + 1);
    expect(header.startsWith('resource_id,resource_name,group_id,group_name,policy_source,')).toBe(
      true,
    );
    expect(
      lastLine
        .trimEnd()
        .split('\r\n')
        .pop()
        ?.startsWith(`${r},Intranet,${g},all-staff,DEFAULT,OFF,`),
    ).toBe(true);
    expect(bytes).toBeGreaterThan(5 * 1024 * 1024);
    // Streamed: many chunks, and the first rows arrived when the server had read a fraction of them.
    expect(chunks).toBeGreaterThan(10);
    expect(batchesAtFirstRow).toBeGreaterThan(0);
    expect(batchesAtFirstRow * BATCH).toBeLessThan(ROWS / 2);
    expect(batchesRead).toBeGreaterThanOrEqual(ROWS / BATCH);
    // Flat memory: the live heap mid-stream and after grew by far less than the report's size.
    expect(midGrowth).toBeDefined();
    expect(midGrowth as number).toBeLessThan(50 * 1024 * 1024);
    expect(midGrowth as number).toBeLessThan(bytes / 2);
    expect(endGrowth).toBeLessThan(50 * 1024 * 1024);
  });
});
