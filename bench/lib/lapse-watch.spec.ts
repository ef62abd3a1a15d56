import { latencySummary, probeSummary, type DecisionProbe } from './lapse-watch';

describe('probeSummary', () => {
  const probe = (atMs: number, ms: number, state = 'ACTIVE'): DecisionProbe => ({
    atMs,
    ms,
    state,
  });
  const probes = [
    probe(0, 1),
    probe(50, 2),
    probe(100, 30),
    probe(150, 40, 'LOCKED'),
    probe(200, NaN, 'error: ECONNRESET'),
    probe(250, 3),
  ];

  it('summarises the probes sent within the window, the expected answers’ latency', () => {
    expect(probeSummary(probes, 100, 300, 'ACTIVE')).toEqual({
      ...latencySummary([30, 3]),
      seconds: 0.2,
      otherAnswers: 2,
    });
    expect(probeSummary(probes, 0, 100, 'ACTIVE')).toMatchObject({
      n: 2,
      maxMs: 2,
      otherAnswers: 0,
    });
  });

  it('gives no latency, not zero, for an empty window', () => {
    expect(probeSummary(probes, 1000, 2000, 'ACTIVE')).toMatchObject({ n: 0, otherAnswers: 0 });
    expect(probeSummary(probes, 1000, 2000, 'ACTIVE').p99Ms).toBeNaN();
  });
});
