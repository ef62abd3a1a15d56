/**
 * One bench at a time on the bench stack: two runs at once share its servers and spoil both
 * (each counts the other's load, and a starting run recreates the topics the other reads).
 *
 * The lock is `flock(2)` on a file under the bench dir, taken through a file descriptor this
 * process holds (the `flock` utility locks the descriptor it inherits: the lock belongs to the
 * open file, not to that short-lived child). The kernel drops it when the descriptor closes:
 * on release, on exit, on Ctrl-C or SIGTERM, and even on SIGKILL, so there is no stale lock to
 * detect. Node opens files close-on-exec, so nothing the bench starts (services, the bench
 * stack's servers) keeps it. The holder writes who it is (pid, bench, since) into the file for
 * the waiters' progress line; the file is only a label, the lock is the flock.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { childrenOf } from './proc-usage';

/** Who holds the lock, as the holder writes it into the lock file. */
export interface LockHolder {
  pid: number;
  /** What it runs: a bench's name, or `stack down`. */
  bench: string;
  /** ISO time it took the lock. */
  since: string;
}

/** The lock file's text for a holder. */
export const holderText = (h: LockHolder): string => `${JSON.stringify(h)}\n`;

/** The holder a lock file names; undefined when empty or not (yet) whole. */
export function parseHolder(text: string): LockHolder | undefined {
  try {
    const { pid, bench, since } = JSON.parse(text) as Partial<LockHolder>;
    if (
      typeof pid === 'number' &&
      Number.isInteger(pid) &&
      typeof bench === 'string' &&
      typeof since === 'string' &&
      !Number.isNaN(Date.parse(since))
    )
      return { pid, bench, since };
  } catch {
    // empty, or read while the holder was writing it
  }
  return undefined;
}

/** "1 h 2 min", "3 min 5 s", "12 s". */
export function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/**
 * The waiter's progress line: which pid holds the bench stack, running what, since when, and
 * how many runs wait ahead of this one. A holder whose pid is gone while the lock is still held
 * left a process behind that holds it.
 */
export function waitingLine(
  holder: LockHolder | undefined,
  now: Date,
  alive: boolean,
  ahead = 0,
): string {
  const line = ahead > 0 ? `; ${ahead} more ${ahead === 1 ? 'run' : 'runs'} ahead in line` : '';
  if (!holder)
    return `waiting for the bench stack: locked by a run that has not said who it is${line}`;
  const since = `${holder.since.slice(11, 19)} UTC, ${elapsed(now.getTime() - Date.parse(holder.since))} ago`;
  const gone = alive ? '' : ' (that pid has exited: a process it left holds the lock)';
  return `waiting for the bench stack: pid ${holder.pid} runs ${holder.bench} since ${since}${gone}${line}`;
}

/**
 * A waiter's place in line, a file in the lock's queue directory: its arrival time and pid,
 * so names sort in arrival order.
 */
export const queueEntry = (arrivedMs: number, pid: number): string =>
  `${String(arrivedMs).padStart(15, '0')}-${pid}`;
const QUEUE_ENTRY = /^\d{15}-(\d+)$/;

/**
 * How many live waiters arrived before `mine` (0: its turn). Entries of exited pids (a waiter
 * stopped while waiting) and other files do not count.
 */
export function aheadInLine(entries: string[], mine: string, alive: (pid: number) => boolean) {
  return entries.filter((e) => {
    const m = QUEUE_ENTRY.exec(e);
    return m && e < mine && alive(Number(m[1]));
  }).length;
}

const CONFLICT = 75;

/** flock(2) on `fd`, without waiting: true when taken, false when another open file holds it. */
function tryLock(fd: number): boolean {
  const r = spawnSync(
    'flock',
    ['--exclusive', '--nonblock', '--conflict-exit-code', `${CONFLICT}`, '3'],
    {
      stdio: ['ignore', 'ignore', 'pipe', fd],
      encoding: 'utf8',
    },
  );
  if (r.status === 0) return true;
  if (r.status === CONFLICT) return false;
  throw new Error(
    `bench lock: flock failed (${r.error?.message ?? `exit ${r.status}`}) ${r.stderr ?? ''}`.trim(),
  );
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Who holds the lock now, without waiting or taking it for longer than a look: undefined when
 * it is free.
 */
export function lockHolder(file: string): LockHolder | 'unknown' | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY);
  } catch {
    return undefined; // never taken
  }
  try {
    if (tryLock(fd)) return undefined;
    return parseHolder(readFileSync(file, 'utf8')) ?? 'unknown';
  } finally {
    closeSync(fd);
  }
}

export interface BenchLock {
  file: string;
  /** Drops the lock (idempotent). Exiting drops it too. */
  release: () => void;
}

/**
 * Takes the bench stack's lock for `bench`, waiting (a progress line every `pollMs` naming the
 * holder) while another run has it. Waiters take turns in arrival order (`<file>.queue/`: one
 * entry per waiter; only the first tries the lock), so a run started later cannot slip in
 * whenever the lock falls free.
 */
export async function takeBenchLock(
  file: string,
  bench: string,
  {
    pollMs = 1000,
    progress = (line: string): void => void process.stdout.write(`\r  ${line}   `),
  }: { pollMs?: number; progress?: (line: string) => void } = {},
): Promise<BenchLock> {
  const queue = `${file}.queue`;
  mkdirSync(queue, { recursive: true });
  const fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o644);
  const mine = queueEntry(Date.now(), process.pid);
  writeFileSync(join(queue, mine), `${bench}\n`);
  let waited = false;
  try {
    for (;;) {
      const entries = readdirSync(queue);
      // Entries of waiters that were stopped while waiting (Ctrl-C, kill -9) are cleared.
      for (const e of entries) {
        const pid = QUEUE_ENTRY.exec(e)?.[1];
        if (pid && !pidAlive(Number(pid))) rmSync(join(queue, e), { force: true });
      }
      const ahead = aheadInLine(entries, mine, pidAlive);
      if (ahead === 0 && tryLock(fd)) break;
      waited = true;
      const holder = parseHolder(readFileSync(file, 'utf8'));
      progress(waitingLine(holder, new Date(), holder ? pidAlive(holder.pid) : true, ahead));
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } catch (e) {
    closeSync(fd);
    throw e;
  } finally {
    rmSync(join(queue, mine), { force: true });
  }
  if (waited) process.stdout.write('\n');
  ftruncateSync(fd, 0);
  writeSync(fd, holderText({ pid: process.pid, bench, since: new Date().toISOString() }), 0);
  let held = true;
  return {
    file,
    release: () => {
      if (!held) return;
      held = false;
      ftruncateSync(fd, 0);
      closeSync(fd);
    },
  };
}

/** SIGTERM to this process's children (the services a bench started), SIGKILL after `graceMs`. */
async function stopChildren(graceMs: number): Promise<void> {
  const children = childrenOf(process.pid);
  const signal = (pid: number, s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {
      // already gone
    }
  };
  for (const pid of children) signal(pid, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (Date.now() < until && children.some(pidAlive))
    await new Promise((r) => setTimeout(r, 100));
  for (const pid of children.filter(pidAlive)) signal(pid, 'SIGKILL');
}

/**
 * On Ctrl-C or SIGTERM: stops the processes the bench started (they would go on loading the
 * bench stack under the next run), releases the lock and exits 130 / 143. A second signal
 * exits at once.
 */
export function releaseOnSignals(lock: BenchLock, graceMs = 15_000): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? 130 : 143;
    const exit = () => {
      lock.release();
      process.exit(code);
    };
    if (stopping) return exit();
    stopping = true;
    console.error(`\n${signal}: stopping the bench's processes and releasing the bench stack`);
    void stopChildren(graceMs).finally(exit);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
