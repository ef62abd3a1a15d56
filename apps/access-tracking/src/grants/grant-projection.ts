import { GRANT_STATES, grantKey, type GrantState, type GrantStateEvent } from '@lapse/contracts';

/** What this service keeps of each grant (from grants.state.v1). Times in epoch ms. */
export interface ProjectedGrant {
  userId: string;
  resourceId: string;
  state: GrantState;
  lockedAt: number | null;
  activeUntil: number | null;
  /** The grant's expiry (its assignments' latest), null for never or not known. */
  expiresAt: number | null;
  /**
   * Rule 1: when the ACTIVE grant auto-locks with no further access — the workflow's deadline,
   * moved later by the lock-due sweep when it finds a newer recorded use; null when not ACTIVE,
   * auto-lock is off, or the record predates the field.
   */
  autoLockAt: number | null;
  /** The auto-lock duration (s), null when off or not known. */
  autoLockDurationSeconds: number | null;
  /**
   * Set by the lock-due sweep (never by a record): the auto-lock fell due at this time with no
   * newer recorded use, so decisions refuse the grant as LOCKED before the workflow's own LOCKED
   * record arrives. A newer record of the grant clears it.
   */
  lockDueAt: number | null;
  version: number;
}

export function toProjectedGrant(e: GrantStateEvent): ProjectedGrant {
  return {
    userId: e.userId,
    resourceId: e.resourceId,
    state: e.state,
    lockedAt: e.lockedAt === null ? null : Date.parse(e.lockedAt),
    activeUntil: e.activeUntil === null ? null : Date.parse(e.activeUntil),
    expiresAt: e.expiresAt ? Date.parse(e.expiresAt) : null,
    autoLockAt: e.autoLockAt ? Date.parse(e.autoLockAt) : null,
    autoLockDurationSeconds: e.autoLockDurationSeconds ?? null,
    lockDueAt: null,
    version: e.version,
  };
}

/** A record replaces what is known only when its version is higher (or equal: a redelivery). */
export function supersedes(next: ProjectedGrant, current: ProjectedGrant | undefined): boolean {
  return current === undefined || next.version >= current.version;
}

/** Keeps, per grant, the record of highest version among `records` (a batch, in any order). */
export function latestPerGrant(records: Iterable<ProjectedGrant>): Map<string, ProjectedGrant> {
  const out = new Map<string, ProjectedGrant>();
  for (const r of records) {
    const key = grantKey(r);
    if (supersedes(r, out.get(key))) out.set(key, r);
  }
  return out;
}

/** Hex digit values by character code (-1: not a hex digit). */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}
/** Where a UUID (36 characters) has its dashes. */
const isDash = (i: number) => i === 8 || i === 13 || i === 18 || i === 23;
const pairBytes: number[] = new Array<number>(32);

/**
 * The projection's own key for a grant key: the two UUIDs as 32 bytes in a one-byte string (48
 * bytes on the heap instead of 96 for the 73-character text). Any other key (tests use short ids)
 * is kept whole behind a character no byte string holds, so the two kinds never collide. Read
 * character by character (it runs for every usage event and every decision): a UUID pair is
 * 36 + ':' + 36 characters, hex digits of either case with dashes at 8, 13, 18 and 23.
 */
export function compactGrantKey(key: string): string {
  if (key.length !== 73 || key.charCodeAt(36) !== 0x3a) return `\u0100${key}`;
  let n = 0;
  for (let start = 0; start <= 37; start += 37) {
    for (let i = 0; i < 36; i++) {
      const c = key.charCodeAt(start + i);
      if (isDash(i)) {
        if (c !== 0x2d) return `\u0100${key}`;
        continue;
      }
      const d = key.charCodeAt(start + ++i);
      const hi = c < 128 ? HEX_VALUE[c] : -1;
      const lo = d < 128 ? HEX_VALUE[d] : -1;
      if (hi < 0 || lo < 0) return `\u0100${key}`;
      pairBytes[n++] = (hi << 4) | lo;
    }
  }
  return String.fromCharCode.apply(null, pairBytes);
}

/** The grant key of a compact key (UUIDs in lower case). */
export function grantKeyOfCompact(compact: string): string {
  if (compact.charCodeAt(0) === 0x100) return compact.slice(1);
  const hex = Buffer.from(compact, 'latin1').toString('hex');
  const uuid = (h: string) =>
    `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  return `${uuid(hex.slice(0, 32))}:${uuid(hex.slice(32))}`;
}

/** A grant the lock-due sweep checks against the recorded uses (rule 1). */
export interface LockCheck {
  row: number;
  /** The grant key (`userId:resourceId`). */
  key: string;
  /** The version the check is about: its result is dropped if a newer record arrived meanwhile. */
  version: number;
  autoLockAt: number;
  durationSeconds: number;
  /** Set when the grant is already marked lock due and this is its one re-check. */
  markedAt: number | null;
}

/** What a check found (lock-due.ts decides it). */
export type LockCheckResult = { due: false; autoLockAt: number } | { due: true; lockDueAt: number };

/** Lock-due marks: none; due (its re-check pending); due and re-checked. */
const NOT_DUE = 0;
const DUE = 1;
const DUE_RECHECKED = 2;

const STATE_CODES: readonly GrantState[] = GRANT_STATES;
const ACTIVE = STATE_CODES.indexOf('ACTIVE');
const NONE = Number.NaN;
const orNull = (n: number): number | null => (Number.isNaN(n) ? null : n);

/**
 * The in-memory projection: decisions and the "known grant" check read it. Sized for millions of
 * grants: a Map from the compact key to a row number, the compact keys by row, and the fields in
 * typed-array columns (one byte for the state and for the lock-due mark, four for the auto-lock
 * duration, one float64 per time and for the version; NaN = null): about 160 heap bytes per
 * grant where a Map of objects took 320 (`npm run bench -- decisions` measures it). `get` builds
 * the record it returns.
 */
export class GrantProjection {
  private readonly rows = new Map<string, number>();
  private readonly keys: string[] = [];
  private state = new Uint8Array(1024);
  private lockedAt = new Float64Array(1024);
  private activeUntil = new Float64Array(1024);
  private expiresAt = new Float64Array(1024);
  private version = new Float64Array(1024);
  /** The auto-lock deadline of an ACTIVE grant (NaN: none); while marked, when the lock fell due. */
  private autoLockAt = new Float64Array(1024);
  /** Seconds; 0 = off or not known (the duration is at least 1 s). */
  private autoLockSeconds = new Uint32Array(1024);
  private lockDue = new Uint8Array(1024);
  /** When the sweep marked the grant lock due (for its re-check). */
  private markedAt = new Float64Array(1024);
  /** Set while the projection may be behind grants.state.v1 by more than the bound. */
  stale = false;
  /**
   * Set once the projection is known to hold every grant published up to a few seconds ago; until
   * then (and whenever it falls behind) a usage event for a grant it does not know may be for a
   * grant it has not read yet.
   */
  current = false;

  get size(): number {
    return this.rows.size;
  }

  get(key: string): ProjectedGrant | undefined {
    const row = this.rows.get(compactGrantKey(key));
    if (row === undefined) return undefined;
    const colon = key.indexOf(':');
    return {
      userId: key.slice(0, colon),
      resourceId: key.slice(colon + 1),
      state: STATE_CODES[this.state[row]],
      lockedAt: orNull(this.lockedAt[row]),
      activeUntil: orNull(this.activeUntil[row]),
      expiresAt: orNull(this.expiresAt[row]),
      autoLockAt: orNull(this.autoLockAt[row]),
      autoLockDurationSeconds: this.autoLockSeconds[row] === 0 ? null : this.autoLockSeconds[row],
      lockDueAt: this.lockDue[row] === NOT_DUE ? null : this.autoLockAt[row],
      version: this.version[row],
    };
  }

  has(key: string): boolean {
    return this.rows.has(compactGrantKey(key));
  }

  /**
   * The grant's row number (stable: rows are never removed), -1 when unknown. Ingestion
   * coalesces uses by it: a small integer hashes faster than the key.
   */
  rowOf(key: string): number {
    return this.rows.get(compactGrantKey(key)) ?? -1;
  }

  /** `rowOf` for a key already compact (`compactGrantKey`). */
  rowOfCompact(compact: string): number {
    return this.rows.get(compact) ?? -1;
  }

  /** The compact key of a row (`compactGrantKey` of its grant key). */
  compactKeyOf(row: number): string {
    return this.keys[row];
  }

  /**
   * Applies a record; returns whether it changed the projection (lower versions are ignored). A
   * higher version replaces everything, the lock-due mark included; the same version again (a
   * redelivery) keeps what the lock-due sweep learned since.
   */
  apply(g: ProjectedGrant): boolean {
    const key = compactGrantKey(grantKey(g));
    let row = this.rows.get(key);
    if (row !== undefined && g.version < this.version[row]) return false;
    const redelivery = row !== undefined && g.version === this.version[row];
    if (row === undefined) {
      row = this.rows.size;
      if (row === this.state.length) this.grow();
      this.rows.set(key, row);
      this.keys.push(key);
    }
    this.state[row] = STATE_CODES.indexOf(g.state);
    this.lockedAt[row] = g.lockedAt ?? NONE;
    this.activeUntil[row] = g.activeUntil ?? NONE;
    this.expiresAt[row] = g.expiresAt ?? NONE;
    this.version[row] = g.version;
    if (!redelivery) {
      const period = g.autoLockDurationSeconds ?? 0;
      // Only an ACTIVE grant with both fields has a deadline the sweep may enforce.
      this.autoLockAt[row] =
        g.state === 'ACTIVE' && period > 0 && g.autoLockAt !== null ? g.autoLockAt : NONE;
      this.autoLockSeconds[row] = period;
      this.lockDue[row] = NOT_DUE;
      this.markedAt[row] = NONE;
    }
    return true;
  }

  /**
   * The grants the lock-due sweep checks at `now`, at most `max`: ACTIVE ones whose auto-lock
   * deadline has passed and that are not marked yet, and marked ones `recheckAfterMs` after their
   * mark (their one re-check). A linear scan of one float64 column (NaN for every grant without
   * a deadline compares false).
   */
  lockChecksDue(now: number, recheckAfterMs: number, max: number): LockCheck[] {
    const out: LockCheck[] = [];
    const n = this.rows.size;
    const due = this.autoLockAt;
    for (let row = 0; row < n && out.length < max; row++) {
      if (!(due[row] <= now)) continue;
      const mark = this.lockDue[row];
      if (mark === DUE_RECHECKED) continue;
      if (mark === DUE && !(this.markedAt[row] + recheckAfterMs <= now)) continue;
      out.push({
        row,
        key: grantKeyOfCompact(this.keys[row]),
        version: this.version[row],
        autoLockAt: due[row],
        durationSeconds: this.autoLockSeconds[row],
        markedAt: mark === DUE ? this.markedAt[row] : null,
      });
    }
    return out;
  }

  /**
   * Records what a check found, unless a record of another version arrived meanwhile (it
   * replaced the deadline): due → marked (re-checked when this was the re-check), else the
   * deadline moves (a mark is lifted). Returns whether it applied.
   */
  settleLockCheck(check: LockCheck, result: LockCheckResult, now: number): boolean {
    const row = check.row;
    if (this.version[row] !== check.version || this.state[row] !== ACTIVE) return false;
    if (result.due) {
      this.autoLockAt[row] = result.lockDueAt;
      if (check.markedAt === null) {
        this.lockDue[row] = DUE;
        this.markedAt[row] = now;
      } else this.lockDue[row] = DUE_RECHECKED;
    } else {
      this.autoLockAt[row] = result.autoLockAt;
      this.lockDue[row] = NOT_DUE;
      this.markedAt[row] = NONE;
    }
    return true;
  }

  private grow(): void {
    const n = this.state.length * 2;
    const widen = <T extends Uint8Array | Uint32Array | Float64Array>(
      a: T,
      make: (n: number) => T,
    ): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.state = widen(this.state, (k) => new Uint8Array(k));
    this.lockedAt = widen(this.lockedAt, (k) => new Float64Array(k));
    this.activeUntil = widen(this.activeUntil, (k) => new Float64Array(k));
    this.expiresAt = widen(this.expiresAt, (k) => new Float64Array(k));
    this.version = widen(this.version, (k) => new Float64Array(k));
    this.autoLockAt = widen(this.autoLockAt, (k) => new Float64Array(k));
    this.autoLockSeconds = widen(this.autoLockSeconds, (k) => new Uint32Array(k));
    this.lockDue = widen(this.lockDue, (k) => new Uint8Array(k));
    this.markedAt = widen(this.markedAt, (k) => new Float64Array(k));
  }
}
