import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ChangeRecorder } from '../changes/change-recorder';
import { POLICY_CONFIG } from '../config.token';
import type { PolicyConfig } from '../config';

/**
 * LAPSE_BOOTSTRAP_ADMIN_EMAIL: on boot, create that user as ADMIN when no user has that email
 * (idempotent; an existing user is left as it is, so a demoted admin is not re-promoted).
 */
@Injectable()
export class BootstrapAdmin implements OnApplicationBootstrap {
  private readonly log = new Logger('bootstrap');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(POLICY_CONFIG) private readonly config: PolicyConfig,
    private readonly changes: ChangeRecorder,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const email = this.config.LAPSE_BOOTSTRAP_ADMIN_EMAIL;
    if (!email) return;
    await this.ds.transaction(async (m) => {
      const rows: { id: string }[] = await m.query(
        `INSERT INTO policy.users (email, name, roles) VALUES ($1, $2, '{ADMIN}') ON CONFLICT ((lower(email))) DO NOTHING RETURNING id`,
        [email, email.split('@')[0]],
      );
      if (!rows[0]) return;
      await this.changes.record(m, {
        kind: 'user.created',
        entityType: 'user',
        entityId: rows[0].id,
        userId: rows[0].id,
        actorId: 'system:bootstrap',
        before: null,
        after: { id: rows[0].id, email, roles: ['ADMIN'] },
      });
      this.log.log(`created the bootstrap admin ${email}`);
    });
  }
}
