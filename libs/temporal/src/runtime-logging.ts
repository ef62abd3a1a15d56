import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

let installed = false;

/**
 * Makes the Temporal worker runtime (SDK and core) log JSON lines like the rest of the service.
 * Call once, before the first NativeConnection/Worker is created; later calls do nothing.
 */
export function installTemporalJsonLogging(
  service: string,
  level: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' = 'INFO',
): void {
  if (installed) return;
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
    Runtime.install({ logger: new DefaultLogger(level, write) });
  } catch {
    // A runtime already exists (e.g. created by a test harness): keep it.
  }
}
