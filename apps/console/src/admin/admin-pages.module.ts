import { Module } from '@nestjs/common';
import { AdminApi } from './admin-api';
import { AdminPages } from './admin-pages';
import { AuditLogPageController } from './audit-log.controller';
import { GroupsPageController } from './groups.controller';
import { ResourcesPageController } from './resources.controller';
import { SettingsPageController } from './settings.controller';
import { UsersPageController } from './users.controller';

/** The admin console's pages (resources, groups, users, settings, audit log). */
@Module({
  controllers: [
    ResourcesPageController,
    GroupsPageController,
    UsersPageController,
    SettingsPageController,
    AuditLogPageController,
  ],
  providers: [AdminApi, AdminPages],
})
export class AdminPagesModule {}
