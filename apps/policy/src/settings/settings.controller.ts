import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  AllowService,
  CurrentPrincipal,
  READER_ROLES,
  Roles,
  WRITER_ROLES,
  type Principal,
} from '@lapse/auth';
import { LapseError } from '@lapse/platform';
import { actorOf } from '../common/actor';
import { maskSettings } from './mask';
import { NotificationSettingsDto, type NotificationSettings } from './settings.dto';
import { SettingsService } from './settings.service';

@ApiTags('settings')
@ApiBearerAuth()
@Controller('v1')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get('settings/notifications')
  @Roles(...READER_ROLES)
  async get(): Promise<NotificationSettings> {
    return maskSettings(await this.settings.get());
  }

  @Put('settings/notifications')
  @Roles(...WRITER_ROLES)
  put(
    @Body() dto: NotificationSettingsDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<NotificationSettings> {
    return this.settings.update(dto, actorOf(p));
  }

  /** Services only (the notifications service): the settings with the webhook secret in full. */
  @Get('internal/notification-settings')
  @AllowService('notifications')
  internal(@CurrentPrincipal() p: Principal): Promise<NotificationSettings> {
    if (p.kind !== 'service') throw LapseError.forbidden('for Lapse services only');
    return this.settings.get();
  }
}
