import { loadavg } from 'node:os';
import { parseArgs } from './args';
import { machineInfo, writeResults } from './results';

/** `[bench <name> hh:mm:ss] msg` on stdout: every bench's progress lines. */
export function benchLog(name: string): (msg: string) => void {
  return (msg) => console.log(`[bench ${name} ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

/**
 * What every bench does around its measurement: its options (`--name value`, defaults and types
 * from `defaults`), the load average before it starts, its progress lines, and its result JSON
 * (bench/results/<name>-<timestamp>.json and <name>-latest.json) headed by `bench`, `at` and
 * `machine` (with the load average before and after).
 */
export function benchRun<T extends Record<string, number | string | boolean>>(
  name: string,
  argv: string[],
  defaults: T,
) {
  const opts = parseArgs(argv, defaults);
  const loadBefore = loadavg();
  return {
    opts,
    log: benchLog(name),
    /** Writes the result; `note` says what to know about the machine's figures. Returns the file. */
    write: (fields: Record<string, unknown>, note?: string): string =>
      writeResults(name, {
        bench: name,
        at: new Date().toISOString(),
        machine: machineInfo(loadBefore, note),
        ...fields,
      }),
  };
}
