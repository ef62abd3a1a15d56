import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ACTIVITY_TASK_QUEUES, type PolicyActivities } from '@lapse/contracts';
import { HealthRegistry } from '@lapse/platform';
import { ActivityHost } from '@lapse/temporal';
import { ChangeRecorder } from '../changes/change-recorder';
import type { PolicyConfig } from '../config';
import { POLICY_CONFIG } from '../config.token';
import { createPolicyActivities } from './unlock-audit.activity';

/** Hosts policy's activities (`recordAdminUnlock`) on the prefixed `policy` task queue. */
@Injectable()
export class PolicyActivityHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private host?: ActivityHost;
  readonly activities: PolicyActivities;

  constructor(
    @Inject(POLICY_CONFIG) private readonly config: PolicyConfig,
    @InjectDataSource() ds: DataSource,
    changes: ChangeRecorder,
    private readonly health: HealthRegistry,
  ) {
    this.activities = createPolicyActivities(ds, changes);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.LAPSE_ACTIVITY_HOST_ENABLED) return;
    this.host = await ActivityHost.forService(this.config, {
      service: 'policy',
      queue: ACTIVITY_TASK_QUEUES.policy,
      activities: this.activities,
      health: this.health,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.host?.stop();
  }
}
