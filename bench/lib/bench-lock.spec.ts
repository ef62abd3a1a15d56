import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  aheadInLine,
  elapsed,
  lockHolder,
  holderText,
  parseHolder,
  queueEntry,
  waitingLine,
} from './bench-lock';

describe('the lock file', () => {
  const holder = { pid: 4242, bench: 'lockstorm --grants 500', since: '2026-12-01T03:40:05.123Z' };

  it('names its holder and reads back', () => {
    expect(parseHolder(holderText(holder))).toEqual(holder);
  });

  it('names nobody while empty, half written or not a holder', () => {
    expect(parseHolder('')).toBeUndefined();
    expect(parseHolder(holderText(holder).slice(0, 20))).toBeUndefined();
    expect(
      parseHolder('{"pid":"4242","bench":"x","since":"2026-12-01T03:40:05Z"}'),
    ).toBeUndefined();
    expect(parseHolder('{"pid":4242,"bench":"x","since":"yesterday"}')).toBeUndefined();
  });

  it('gives the waiter the holder’s pid, bench and since when', () => {
    const now = new Date('2026-12-01T03:43:10.000Z');
    expect(waitingLine(holder, now, true)).toBe(
      'waiting for the bench stack: pid 4242 runs lockstorm --grants 500 since 03:40:05 UTC, 3 min 4 s ago',
    );
    expect(waitingLine(holder, now, false)).toContain('that pid has exited');
    expect(waitingLine(undefined, now, true)).toContain('has not said who it is');
  });

  it('tells the waiter how many runs are ahead of it', () => {
    const now = new Date('2026-12-01T03:43:10.000Z');
    expect(waitingLine(holder, now, true, 1)).toMatch(/ago; 1 more run ahead in line$/);
    expect(waitingLine(undefined, now, true, 2)).toMatch(/; 2 more runs ahead in line$/);
  });

  it('says how long in the largest units that matter', () => {
    expect(elapsed(12_400)).toBe('12 s');
    expect(elapsed(185_000)).toBe('3 min 5 s');
    expect(elapsed(3_720_000)).toBe('1 h 2 min');
    expect(elapsed(-5)).toBe('0 s');
  });
});

describe('the line of waiters', () => {
  it('names entries in arrival order', () => {
    expect(queueEntry(1_764_560_000_000, 42)).toBe('001764560000000-42');
    expect(queueEntry(999, 7) < queueEntry(1000, 7)).toBe(true);
  });

  it('counts the live waiters that came first, nothing else', () => {
    const mine = queueEntry(3000, 30);
    const entries = [
      queueEntry(1000, 10),
      queueEntry(2000, 20), // stopped while waiting
      mine,
      queueEntry(4000, 40), // came later
      'notes.txt',
    ];
    const alive = (pid: number) => pid !== 20;
    expect(aheadInLine(entries, mine, alive)).toBe(1);
    expect(aheadInLine(entries, queueEntry(1000, 10), alive)).toBe(0);
  });
});

/** A process holding or waiting for the lock (bench-lock.fixture.ts), and what it printed. */
function locker(file: string, bench: string, ...extra: string[]) {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'bench-lock.fixture.ts'), file, bench, ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = w.re.exec(out);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout.on('data', (d: Buffer) => ((out += d.toString()), check()));
  child.stderr.on('data', (d: Buffer) => ((out += d.toString()), check()));
  return {
    child,
    output: () => out,
    /** Resolves with the first match of `re` in what it printed (so far or later). */
    printed: (re: RegExp) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        waiters.push({ re, resolve });
        child.once('exit', (code, signal) =>
          setImmediate(() => reject(new Error(`exited (${code ?? signal}) before ${re}: ${out}`))),
        );
        check();
      }),
    exited: () =>
      new Promise<NodeJS.Signals | number | null>((resolve) =>
        child.exitCode !== null || child.signalCode !== null
          ? resolve(child.signalCode ?? child.exitCode)
          : child.once('exit', (code, signal) => resolve(signal ?? code)),
      ),
  };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('two runs and the bench lock (processes)', () => {
  let dir: string;
  const started: ChildProcess[] = [];
  const spawned = (l: ReturnType<typeof locker>) => (started.push(l.child), l);
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'bench-lock-'))));
  afterEach(() => {
    for (const c of started.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the second waiting, naming the first, until the first is stopped', async () => {
    const file = join(dir, 'bench.lock');
    const a = spawned(locker(file, 'lockstorm --grants 500', '--child'));
    const aPid = Number((await a.printed(/held (\d+)/))[1]);
    const aChild = Number((await a.printed(/child (\d+)/))[1]);
    expect(parseHolder(readFileSync(file, 'utf8'))).toMatchObject({
      pid: aPid,
      bench: 'lockstorm --grants 500',
    });

    const b = spawned(locker(file, 'live'));
    await b.printed(
      new RegExp(`pid ${aPid} runs lockstorm --grants 500 since \\d\\d:\\d\\d:\\d\\d UTC`),
    );
    expect(b.output()).not.toContain('held');

    // SIGTERM: the first stops the process it started, releases, and the second takes it.
    a.child.kill('SIGTERM');
    expect(await a.exited()).toBe(143);
    expect(alive(aChild)).toBe(false);
    const bPid = Number((await b.printed(/held (\d+)/))[1]);
    expect(parseHolder(readFileSync(file, 'utf8'))).toMatchObject({ pid: bPid, bench: 'live' });
  }, 60_000);

  it('hands the lock on in arrival order', async () => {
    const file = join(dir, 'bench.lock');
    const a = spawned(locker(file, 'fanout'));
    const aPid = Number((await a.printed(/held (\d+)/))[1]);
    const b = spawned(locker(file, 'approvals'));
    await b.printed(new RegExp(`pid ${aPid} runs fanout`));
    const c = spawned(locker(file, 'live'));
    await c.printed(new RegExp(`pid ${aPid} runs fanout .*; 1 more run ahead in line`));

    // A ends: B, first in line, takes it; C, polling as often, waits for B.
    a.child.kill('SIGTERM');
    const bPid = Number((await b.printed(/held (\d+)/))[1]);
    await c.printed(new RegExp(`pid ${bPid} runs approvals since`));
    expect(c.output()).not.toContain('held');
    b.child.kill('SIGTERM');
    await c.printed(/held \d+/);
  }, 60_000);

  it('says who holds it to anyone who looks, and is free after Ctrl-C', async () => {
    const file = join(dir, 'bench.lock');
    expect(lockHolder(file)).toBeUndefined();
    const a = spawned(locker(file, 'decisions'));
    const aPid = Number((await a.printed(/held (\d+)/))[1]);
    expect(lockHolder(file)).toMatchObject({ pid: aPid, bench: 'decisions' });
    // Looking does not take it.
    expect(lockHolder(file)).toMatchObject({ pid: aPid });
    a.child.kill('SIGINT');
    expect(await a.exited()).toBe(130);
    expect(lockHolder(file)).toBeUndefined();
  }, 60_000);

  it('is free once its holder is killed outright, whatever the holder left running', async () => {
    const file = join(dir, 'bench.lock');
    const a = spawned(locker(file, 'fanout', '--child'));
    await a.printed(/held \d+/);
    const aChild = Number((await a.printed(/child (\d+)/))[1]);

    a.child.kill('SIGKILL');
    expect(await a.exited()).toBe('SIGKILL');
    // The child it left (as a bench leaves the bench stack's servers) does not hold the lock.
    expect(alive(aChild)).toBe(true);
    try {
      const b = spawned(locker(file, 'stack down'));
      const bPid = Number((await b.printed(/held (\d+)/))[1]);
      expect(b.output()).not.toContain('waiting');
      expect(parseHolder(readFileSync(file, 'utf8'))).toMatchObject({ pid: bPid });
    } finally {
      process.kill(aChild, 'SIGKILL');
    }
  }, 60_000);
});
