import { isTransientKafkaError, withKafkaRetry } from './retry';

describe('withKafkaRetry', () => {
  it('retries transient errors, then returns', async () => {
    let calls = 0;
    const result = await withKafkaRetry(
      'fetch offsets',
      async () => {
        calls++;
        if (calls < 3)
          throw Object.assign(new Error('This is not the correct coordinator for this group'), {
            type: 'NOT_COORDINATOR',
          });
        return 'ok';
      },
      { initialMs: 1 },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('fails at once on other errors, naming what failed', async () => {
    let calls = 0;
    await expect(
      withKafkaRetry('fetch offsets', async () => {
        calls++;
        throw Object.assign(new Error('not authorized'), { type: 'TOPIC_AUTHORIZATION_FAILED' });
      }),
    ).rejects.toThrow('fetch offsets failed after 1 attempt(s): not authorized');
    expect(calls).toBe(1);
  });

  it('gives up after the last attempt', async () => {
    await expect(
      withKafkaRetry(
        'x',
        async () => Promise.reject(Object.assign(new Error('busy'), { retriable: true })),
        { attempts: 2, initialMs: 1 },
      ),
    ).rejects.toThrow('x failed after 2 attempt(s): busy');
  });

  it('knows transient errors', () => {
    expect(isTransientKafkaError({ type: 'COORDINATOR_NOT_AVAILABLE' })).toBe(true);
    expect(isTransientKafkaError({ type: 'INVALID_REQUEST' })).toBe(false);
  });
});
