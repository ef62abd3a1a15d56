import { histogramDelta } from './prom-histogram';

const page = (counts: [string, number][], sum: number, queue = 'q1') =>
  [
    '# TYPE wait_seconds histogram',
    ...counts.map(([le, n]) => `wait_seconds_bucket{task_queue="${queue}",le="${le}"} ${n}`),
    `wait_seconds_sum{task_queue="${queue}"} ${sum}`,
    `wait_seconds_count{task_queue="${queue}"} ${counts.at(-1)?.[1] ?? 0}`,
    'other_seconds_count 99',
  ].join('\n');

describe('histogramDelta', () => {
  it('reads count, mean and the bucket bounds the p50 and p99 fall within', () => {
    const h = histogramDelta(
      'wait_seconds',
      page(
        [
          ['0.5', 10],
          ['1', 60],
          ['10', 99],
          ['+Inf', 100],
        ],
        150,
      ),
    );
    expect(h).toMatchObject({
      count: 100,
      meanMs: 1500,
      p50AtMostSeconds: 1,
      p99AtMostSeconds: 10,
    });
  });

  it('gives what was observed since an earlier reading, summing the series of every label', () => {
    const before = histogramDelta(
      'wait_seconds',
      page(
        [
          ['1', 5],
          ['60', 5],
          ['+Inf', 5],
        ],
        2,
      ),
    );
    const now =
      page(
        [
          ['1', 5],
          ['60', 25],
          ['+Inf', 25],
        ],
        402,
      ) +
      '\n' +
      page(
        [
          ['1', 0],
          ['60', 10],
          ['+Inf', 10],
        ],
        200,
        'q2',
      );
    const h = histogramDelta('wait_seconds', now, before);
    expect(h).toMatchObject({
      count: 30,
      sum: 600,
      meanMs: 20_000,
      withinSeconds: { '1': 0, '60': 30, '+Inf': 30 },
      p50AtMostSeconds: 60,
    });
  });
});
