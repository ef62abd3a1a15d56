import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Role } from '@lapse/contracts';
import type { DataSource } from 'typeorm';

export type SessionEndReason = 'SIGNED_OUT' | 'USER_GONE' | 'USER_INACTIVE' | 'ROLES_CHANGED';

export interface SessionRecord {
  id: string;
  userId: string;
  email: string;
  roles: Role[];
  createdAt: Date;
  expiresAt: Date;
  endedAt: Date | null;
  endReason: SessionEndReason | null;
}

export interface PendingSignIn {
  state: string;
  codeVerifier: string;
  nonce: string;
  returnTo: string;
}

/** How long a sign-in may take between the redirect to the provider and its callback. */
export const SIGN_IN_TTL_MS = 10 * 60_000;

interface SessionRow {
  id: string;
  user_id: string;
  email: string;
  roles: Role[];
  created_at: Date;
  expires_at: Date;
  ended_at: Date | null;
  end_reason: SessionEndReason | null;
}

/** Ended or expired sessions are kept this long (who was signed in when), then deleted. */
export const SESSION_RETENTION_DAYS = 30;

/** Sessions and sign-ins in progress, in schema `console`. */
@Injectable()
export class SessionStore {
  private lastPurge = 0;

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async create(s: {
    userId: string;
    email: string;
    roles: Role[];
    expiresAt: Date;
  }): Promise<SessionRecord> {
    const rows: SessionRow[] = await this.ds.query(
      `INSERT INTO console.sessions (id, user_id, email, roles, expires_at)
       VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [randomUUID(), s.userId, s.email, s.roles, s.expiresAt],
    );
    await this.purgeOld();
    return record(rows[0]);
  }

  async find(id: string): Promise<SessionRecord | null> {
    const rows: SessionRow[] = await this.ds.query(`SELECT * FROM console.sessions WHERE id = $1`, [
      id,
    ]);
    return rows[0] ? record(rows[0]) : null;
  }

  /** Ends the session (first reason wins); false when it had ended already. */
  async end(id: string, reason: SessionEndReason): Promise<boolean> {
    // UPDATE answers [rows, count] through TypeORM's postgres driver.
    const [, count]: [unknown[], number] = await this.ds.query(
      `UPDATE console.sessions SET ended_at = now(), end_reason = $2
       WHERE id = $1 AND ended_at IS NULL`,
      [id, reason],
    );
    return count > 0;
  }

  /** At most hourly, as sessions start: drops sessions over with for SESSION_RETENTION_DAYS. */
  private async purgeOld(): Promise<void> {
    if (Date.now() - this.lastPurge < 3600_000) return;
    this.lastPurge = Date.now();
    await this.ds.query(
      `DELETE FROM console.sessions WHERE expires_at < now() - make_interval(days => $1)`,
      [SESSION_RETENTION_DAYS],
    );
  }

  async saveSignIn(p: PendingSignIn): Promise<void> {
    await this.ds.query(
      `INSERT INTO console.sign_ins (state, code_verifier, nonce, return_to) VALUES ($1, $2, $3, $4)`,
      [p.state, p.codeVerifier, p.nonce, p.returnTo],
    );
    // Sign-ins never completed are dropped as new ones start.
    await this.ds.query(`DELETE FROM console.sign_ins WHERE created_at < $1`, [
      new Date(Date.now() - SIGN_IN_TTL_MS),
    ]);
  }

  /** The sign-in for `state`, once: it is deleted as it is read. Null when unknown or too old. */
  async takeSignIn(state: string): Promise<PendingSignIn | null> {
    // DELETE answers [rows, count] through TypeORM's postgres driver.
    const [rows]: [
      { state: string; code_verifier: string; nonce: string; return_to: string }[],
      number,
    ] = await this.ds.query(
      `DELETE FROM console.sign_ins WHERE state = $1 AND created_at >= $2
       RETURNING state, code_verifier, nonce, return_to`,
      [state, new Date(Date.now() - SIGN_IN_TTL_MS)],
    );
    const r = rows[0];
    return r
      ? { state: r.state, codeVerifier: r.code_verifier, nonce: r.nonce, returnTo: r.return_to }
      : null;
  }
}

function record(r: SessionRow): SessionRecord {
  return {
    id: r.id,
    userId: r.user_id,
    email: r.email,
    roles: r.roles,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    endedAt: r.ended_at,
    endReason: r.end_reason,
  };
}
