import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ChangeRecorder } from '../changes/change-recorder';

/** Recognisable by secret scanners; the rest is 32 random bytes. */
export const SCIM_TOKEN_PREFIX = 'lapse_scim_';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * The one SCIM bearer token an identity provider uses. Only its SHA-256 is stored (the token is
 * 256 random bits, so a fast hash is enough); a new token replaces the old one at once.
 */
@Injectable()
export class ScimTokenService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly changes: ChangeRecorder,
  ) {}

  /** Creates a token (shown once) and revokes the previous one, audited. */
  async rotate(actorId: string | null): Promise<{ token: string }> {
    const token = SCIM_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    await this.ds.transaction(async (m) => {
      const before: { created_at: Date }[] = await m.query(
        `SELECT created_at FROM policy.scim_token WHERE id = 1 FOR UPDATE`,
      );
      const [row]: { created_at: Date }[] = await m.query(
        `INSERT INTO policy.scim_token (id, token_sha256, created_by) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET token_sha256 = EXCLUDED.token_sha256, created_by = EXCLUDED.created_by, created_at = now()
         RETURNING created_at`,
        [sha256(token), actorId],
      );
      await this.changes.record(m, {
        kind: 'settings.scim-token.created',
        entityType: 'scim-token',
        entityId: 'scim-token',
        actorId,
        before: before[0] ? { createdAt: before[0].created_at.toISOString() } : null,
        after: { createdAt: row.created_at.toISOString() },
      });
    });
    return { token };
  }

  /** Whether `token` is the current SCIM token (constant-time comparison of the hashes). */
  async verify(token: string): Promise<boolean> {
    const rows: { token_sha256: Buffer }[] = await this.ds.query(
      `SELECT token_sha256 FROM policy.scim_token WHERE id = 1`,
    );
    const given = sha256(token);
    const stored = rows[0]?.token_sha256 ?? randomBytes(32);
    return timingSafeEqual(given, stored) && rows.length > 0;
  }
}
