/**
 * CPU and memory of named processes from /proc, for benchmarks: the one sampler every bench uses.
 * A target is a process and, when asked, its children (Postgres serves each connection from a
 * child of the postmaster).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
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
 * mapping them, so a family's sum counts them once. RSS where smaps_rollup is missing; undefined
 * once the process is gone.
 */
function pssMiB(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const m = /^Pss:\s+(\d+) kB/m.exec(text) ?? /^Rss:\s+(\d+) kB/m.exec(text);
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** MemAvailable from /proc/meminfo (MiB): what the machine can still give without swapping. */
export function memAvailableMiB(): number {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The direct children of a process. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    if (Number.isInteger(child) && stat(child)?.ppid === pid) out.push(child);
  }
  return out;
}

/** The process and its direct children. */
const family = (pid: number): number[] => [pid, ...childrenOf(pid)];

export interface ProcessTarget {
  pid: number | undefined;
  /** Count its children too (Postgres backends). */
  withChildren?: boolean;
  /** Also report the process's CPU per thread (`threads`), e.g. a Node worker thread apart. */
  threads?: boolean;
}

/** CPU ticks of each thread of a process, by thread id, with its name (`main` for the main thread). */
function threadTicks(pid: number): Map<number, { name: string; ticks: number }> {
  const out = new Map<number, { name: string; ticks: number }>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const entry of tids) {
    const tid = Number(entry);
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === pid ? 'main' : text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      out.set(tid, { name, ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // the thread ended between listing and reading
    }
  }
  return out;
}

/** What `sampleProcesses(…).stop()` gives per process, the `processes` field of a result. */
export interface ProcessUsage {
  /** CPU time (user + system) over the sampling. */
  cpuSeconds: number;
  /** cpuSeconds / wall seconds sampled: cores busy on average. */
  coresAverage: number;
  /** PSS, summed over the family. */
  memoryPeakMiB: number;
  memoryLastMiB: number;
  /**
   * With `threads`: CPU seconds of each thread that used at least 0.1 s, busiest first, named by
   * the kernel (`main`; a Node worker thread or V8's helpers show as `node`; the Temporal SDK's
   * Rust core as `tokio-runtime-w` and `workflow-proces`).
   */
  threads?: { name: string; cpuSeconds: number }[];
}

/**
 * Samples CPU and memory (PSS in MiB, summed over the family) of each target (a pid, or a pid
 * with its children) every `everyMs`; `stop()` gives a ProcessUsage per target that was seen
 * (a target without a pid is left out). Children that exit between samples take their ticks with
 * them (an undercount for short-lived backends; Lapse's are pooled). `stop()` may be called more
 * than once: later calls give the first answer.
 */
export function sampleProcesses(
  targets: Record<string, ProcessTarget | number | undefined>,
  everyMs = 1000,
) {
  const started = Date.now();
  const first: Record<string, Map<number, number>> = {};
  const last: Record<string, Map<number, number>> = {};
  const peak: Record<string, number> = {};
  const memoryNow: Record<string, number> = {};
  const firstThreads: Record<string, Map<number, { name: string; ticks: number }>> = {};
  const lastThreads: Record<string, Map<number, { name: string; ticks: number }>> = {};
  const sample = () => {
    for (const [name, target] of Object.entries(targets)) {
      const t = typeof target === 'number' ? { pid: target } : target;
      if (!t?.pid) continue;
      const pids = t.withChildren ? family(t.pid) : [t.pid];
      const ticks = (first[name] ??= new Map());
      const now = (last[name] ??= new Map());
      let memory = 0;
      let alive = false;
      for (const pid of pids) {
        const s = stat(pid);
        const mib = pssMiB(pid);
        if (!s || mib === undefined) continue;
        alive = true;
        if (!ticks.has(pid)) ticks.set(pid, s.cpuTicks);
        now.set(pid, s.cpuTicks);
        memory += mib;
      }
      if (!alive) continue; // gone: its last sample stands
      if (t.threads) {
        const now = threadTicks(t.pid);
        const before = (firstThreads[name] ??= new Map());
        for (const [tid, thread] of now) if (!before.has(tid)) before.set(tid, thread);
        lastThreads[name] = now;
      }
      memoryNow[name] = round(memory, 1);
      peak[name] = Math.max(peak[name] ?? 0, memoryNow[name]);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  let result: Record<string, ProcessUsage> | undefined;
  return {
    stop: (): Record<string, ProcessUsage> => {
      if (result) return result;
      clearInterval(timer);
      sample();
      const seconds = (Date.now() - started) / 1000;
      result = Object.fromEntries(
        Object.keys(memoryNow).map((name) => {
          let ticks = 0;
          for (const [pid, t] of last[name]) ticks += t - (first[name].get(pid) ?? t);
          const cpuSeconds = ticks / TICKS_PER_SECOND;
          const usage: ProcessUsage = {
            cpuSeconds: round(cpuSeconds, 1),
            coresAverage: round(cpuSeconds / Math.max(seconds, 1e-3), 2),
            memoryPeakMiB: peak[name],
            memoryLastMiB: memoryNow[name],
          };
          const threads = lastThreads[name];
          if (threads) {
            usage.threads = [...threads]
              .map(([tid, { name: thread, ticks }]) => ({
                name: thread,
                cpuSeconds: round(
                  (ticks - (firstThreads[name].get(tid)?.ticks ?? ticks)) / TICKS_PER_SECOND,
                  1,
                ),
              }))
              .filter((t) => t.cpuSeconds >= 0.1)
              .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
          }
          return [name, usage];
        }),
      );
      return result;
    },
  };
}

/** Jiffies since boot over all cores: busy (everything but idle and iowait) and total. */
function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1);
  const n = cpu.map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - n[3] - n[4], total };
}

/**
 * The whole machine's CPU from now until `stop()`: cores busy on average (any process, the
 * bench's own and everybody else's) out of `cores` — whether a run was short of CPU at all.
 */
export function sampleMachine() {
  const from = machineTicks();
  const cores = cpus().length;
  return {
    stop: () => {
      const to = machineTicks();
      const busyShare = (to.busy - from.busy) / Math.max(1, to.total - from.total);
      return { cores, coresBusy: round(busyShare * cores, 2) };
    },
  };
}
