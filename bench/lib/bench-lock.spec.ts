import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elapsed, holderText, parseHolder, waitingLine } from './bench-lock';

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

  it('says how long in the largest units that matter', () => {
    expect(elapsed(12_400)).toBe('12 s');
    expect(elapsed(185_000)).toBe('3 min 5 s');
    expect(elapsed(3_720_000)).toBe('1 h 2 min');
    expect(elapsed(-5)).toBe('0 s');
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
