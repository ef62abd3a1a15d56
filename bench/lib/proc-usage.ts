/**
 * CPU and memory of named server processes from /proc, for benchmarks: a process and, when asked,
 * its children (Postgres serves each connection from a child of the postmaster).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { round } from './args';

const TICKS_PER_SECOND = 100;

interface Stat {
  ppid: number;
  cpuTicks: number;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at state (field 3).
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined;
  }
}

/**
 * Proportional set size in MiB: shared pages (Postgres' shared buffers) split among the processes
 * mapping them, so a family's sum counts them once. RSS where smaps_rollup is missing.
 */
function pssMiB(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const m = /^Pss:\s+(\d+) kB/m.exec(text) ?? /^Rss:\s+(\d+) kB/m.exec(text);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The process and its direct children. */
function family(pid: number): number[] {
  const out = [pid];
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    if (Number.isInteger(child) && stat(child)?.ppid === pid) out.push(child);
  }
  return out;
}

export interface ProcessTarget {
  pid: number | undefined;
  /** Count its children too (Postgres backends). */
  withChildren?: boolean;
}

/**
 * Samples CPU (seconds used, as cores busy on average) and memory (PSS in MiB, summed over the
 * family) of each target every `everyMs`; `stop()` gives per target: cpuSeconds, coresAverage,
 * memoryPeakMiB, memoryLastMiB. Children that exit between samples take their ticks with them (an undercount for
 * short-lived backends; Lapse's are pooled).
 */
export function sampleProcesses(targets: Record<string, ProcessTarget>, everyMs = 2000) {
  const started = Date.now();
  const first: Record<string, Map<number, number>> = {};
  const last: Record<string, Map<number, number>> = {};
  const peak: Record<string, number> = {};
  const rssNow: Record<string, number> = {};
  const sample = () => {
    for (const [name, t] of Object.entries(targets)) {
      if (!t.pid) continue;
      const pids = t.withChildren ? family(t.pid) : [t.pid];
      const ticks = (first[name] ??= new Map());
      const now = (last[name] ??= new Map());
      let rss = 0;
      for (const pid of pids) {
        const s = stat(pid);
        if (!s) continue;
        if (!ticks.has(pid)) ticks.set(pid, s.cpuTicks);
        now.set(pid, s.cpuTicks);
        rss += pssMiB(pid);
      }
      rssNow[name] = round(rss, 1);
      peak[name] = Math.max(peak[name] ?? 0, rssNow[name]);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      const seconds = (Date.now() - started) / 1000;
      return Object.fromEntries(
        Object.keys(last).map((name) => {
          let ticks = 0;
          for (const [pid, t] of last[name]) ticks += t - (first[name].get(pid) ?? t);
          const cpuSeconds = ticks / TICKS_PER_SECOND;
          return [
            name,
            {
              cpuSeconds: round(cpuSeconds, 1),
              coresAverage: round(cpuSeconds / Math.max(seconds, 1e-3), 2),
              memoryPeakMiB: peak[name],
              memoryLastMiB: rssNow[name],
            },
          ];
        }),
      );
    },
  };
}
