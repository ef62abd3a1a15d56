import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { sdkMetricsTelemetry } from './sdk-metrics';

let installed = false;

/** The Temporal runtime's level for a service's LOG_LEVEL (debug and trace → DEBUG; warn, error → WARN). */
export function temporalLogLevel(logLevel: string | undefined): 'DEBUG' | 'INFO' | 'WARN' {
  if (logLevel === 'debug' || logLevel === 'trace') return 'DEBUG';
  return logLevel === undefined || logLevel === 'info' ? 'INFO' : 'WARN';
}

/**
 * Makes the Temporal worker runtime (SDK and core) log JSON lines like the rest of the service, at
 * the service's LOG_LEVEL, and, given `metricsAddress` (host:port), serve the SDK's own metrics
 * (sdk-metrics.ts) there. Call once, before the first NativeConnection/Worker is created; later
 * calls do nothing.
 */
export function installTemporalJsonLogging(
  service: string,
  logLevel?: string,
  metricsAddress?: string,
): void {
  if (installed) return;
  const level = temporalLogLevel(logLevel);
  installed = true;
  const write = (entry: LogEntry) => {
    const { sdkComponent, ...meta } = entry.meta ?? {};
    process.stdout.write(
      JSON.stringify({
        level: entry.level.toLowerCase(),
        time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
        service,
        component: `temporal.${String(sdkComponent ?? 'sdk')}`,
        msg: entry.message,
        ...meta,
      }) + '\n',
    );
  };
  try {
    Runtime.install({
      logger: new DefaultLogger(level, write),
      ...(metricsAddress ? { telemetryOptions: sdkMetricsTelemetry(metricsAddress) } : {}),
    });
  } catch {
    // A runtime already exists (e.g. created by a test harness): keep it.
  }
}
