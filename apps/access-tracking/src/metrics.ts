import { Gauge } from 'prom-client';
import { metricsRegistry } from '@lapse/platform';
export { counter, histogram } from '@lapse/platform';

/** Gets or creates a gauge on the shared registry. */
export function gauge(name: string, help: string, labelNames: string[] = []): Gauge<string> {
  const existing = metricsRegistry.getSingleMetric(name);
  if (existing) return existing as Gauge<string>;
  return new Gauge({ name, help, labelNames, registers: [metricsRegistry] });
}
