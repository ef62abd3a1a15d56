import type { Response } from 'express';
import { MetricsController, addMetricsSource, counter } from './metrics';

/** What GET /metrics sends, through the controller. */
async function page(): Promise<string> {
  let body = '';
  const res = { setHeader: () => res, send: (b: string) => (body = b) } as unknown as Response;
  await new MetricsController().metrics(res);
  return body;
}

describe('GET /metrics', () => {
  it('appends each added source’s page to the registry’s, and names a source that fails', async () => {
    counter('lapse_metrics_spec_total', 'a counter of this spec').inc();
    addMetricsSource('spec-sdk', async () => 'spec_sdk_polls 3');
    addMetricsSource('spec-down', () => Promise.reject(new Error('connect ECONNREFUSED')));
    const text = await page();
    expect(text).toMatch(/^lapse_metrics_spec_total 1$/m);
    expect(text).toMatch(/^spec_sdk_polls 3$/m);
    expect(text).toContain('# spec-down metrics unavailable: Error: connect ECONNREFUSED\n');
  });
});
