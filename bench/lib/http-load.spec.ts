import {
  heldRate,
  parseVegeta,
  parseWrk,
  sustainableRate,
  vegetaTargets,
  wrkMixScript,
  type LoadResult,
} from './http-load';

// Real output: wrk 4.1.0 with the bench's Lua `done` hook, and `vegeta report -type=json` v12.13.0.
const WRK_OUT = `Running 1s test @ http://127.0.0.1:18080/
  1 threads and 4 connections
  3481 requests in 1.10s, 509.91KB read
Requests/sec:   3155.58
LAPSE_WRK_JSON {"requests":3481,"durationUs":1103124,"connect":0,"read":1,"write":0,"status":2,"timeout":3,"p50Us":1164.0,"p90Us":6439.0,"p99Us":28232.0,"maxUs":39838.0}
`;
const VEGETA_OUT = `{"latencies":{"total":89300818,"mean":1786016,"50th":735711,"90th":4061843,"95th":6276752,"99th":8734308,"max":8734308,"min":369889},"bytes_in":{"total":150,"mean":3},"bytes_out":{"total":0,"mean":0},"earliest":"2026-11-30T18:29:36.564302653Z","latest":"2026-11-30T18:29:37.544090312Z","end":"2026-11-30T18:29:37.544517889Z","duration":979787659,"wait":427577,"requests":50,"rate":51.03146537999005,"throughput":47.0092050844229,"success":0.94,"status_codes":{"0":1,"200":47,"503":2},"errors":[]}`;

describe('parseWrk', () => {
  it('reads the JSON line of the done hook', () => {
    expect(parseWrk(WRK_OUT)).toEqual({
      requests: 3481,
      durationUs: 1103124,
      connect: 0,
      read: 1,
      write: 0,
      status: 2,
      timeout: 3,
      p50Us: 1164,
      p90Us: 6439,
      p99Us: 28232,
      maxUs: 39838,
    });
  });

  it('fails when wrk printed no summary', () => {
    expect(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(
      /no summary/,
    );
  });
});

describe('parseVegeta', () => {
  it('turns the report into a fixed-rate result (ms, 2xx throughput, errors = status 0)', () => {
    const r = parseVegeta(VEGETA_OUT, {
      url: 'http://x/',
      headers: {},
      connections: 10,
      seconds: 1,
      rate: 50,
    });
    expect(r).toEqual({
      mode: 'fixed-rate',
      tool: 'vegeta',
      targetRate: 50,
      connections: 10,
      seconds: 1,
      requests: 50,
      requestsPerSecond: 47,
      sentPerSecond: 51,
      non2xx: 2,
      errors: 1,
      p50Ms: 0.736,
      p90Ms: 4.062,
      p99Ms: 8.734,
      maxMs: 8.734,
    });
  });
});

describe('heldRate', () => {
  const at = (over: Partial<LoadResult>): LoadResult => ({
    mode: 'fixed-rate',
    tool: 'vegeta',
    targetRate: 5000,
    connections: 10,
    seconds: 10,
    requests: 50_000,
    requestsPerSecond: 4990,
    sentPerSecond: 5000,
    non2xx: 0,
    errors: 0,
    p50Ms: 0.3,
    p90Ms: 0.5,
    p99Ms: 1,
    maxMs: 5,
    ...over,
  });
  it('holds when every request is answered 2xx at (nearly) the offered rate', () => {
    expect(heldRate(at({}))).toBe(true);
  });
  it.each([
    ['answers fell behind', { requestsPerSecond: 4000 }],
    ['errors', { errors: 1 }],
    ['non-2xx', { non2xx: 1 }],
    ['closed loop', { targetRate: null }],
  ])('does not hold: %s', (_, over) => {
    expect(heldRate(at(over))).toBe(false);
  });
});

describe('sustainableRate', () => {
  it('is half the closed-loop throughput in hundreds, at least 100', () => {
    expect(sustainableRate(5199)).toBe(2500);
    expect(sustainableRate(150)).toBe(100);
  });
});

describe('a mix of requests', () => {
  const spec = {
    url: 'http://127.0.0.1:8080/app?x=1',
    headers: { accept: '*/*' },
    connections: 10,
    seconds: 2,
    rate: 3,
    variants: [
      { headers: { host: 'a.test', 'x-auth-request-email': 'ann@x.test' } },
      { headers: { host: 'b.test', 'x-auth-request-email': 'bob@x.test' }, path: '/p1' },
    ],
  };

  it('wrk builds every request of the mix once and sends one at random', () => {
    const lua = wrkMixScript(spec);
    expect(lua).toContain(
      '{ "/app?x=1", { ["Accept"] = "*/*", ["Host"] = "a.test", ["X-Auth-Request-Email"] = "ann@x.test" } },',
    );
    expect(lua).toContain('{ "/p1", { ["Accept"] = "*/*", ["Host"] = "b.test"');
    expect(lua).toContain('wrk.format("GET", s[1], s[2])');
    expect(lua).toContain('return reqs[math.random(#reqs)]');
    expect(lua).toContain('LAPSE_WRK_JSON');
  });

  it('vegeta gets one target per request of the run, in a random order', () => {
    const picks = [0.9, 0.1, 0.6, 0.2, 0.7, 0.4];
    const targets = vegetaTargets(spec, () => picks.shift() as number);
    const hosts = [...targets.matchAll(/^Host: (.*)$/gm)].map((m) => m[1]);
    expect(hosts).toEqual(['b.test', 'a.test', 'b.test', 'a.test', 'b.test', 'a.test']);
    expect(targets.split('\n\n')[0]).toBe(
      'GET http://127.0.0.1:8080/p1\nAccept: */*\nHost: b.test\nX-Auth-Request-Email: bob@x.test',
    );
  });

  it('vegeta without a mix: one target', () => {
    expect(vegetaTargets({ ...spec, variants: undefined })).toBe(
      'GET http://127.0.0.1:8080/app?x=1\nAccept: */*\n',
    );
  });
});
