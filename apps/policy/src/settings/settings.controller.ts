import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AllowService,
  CurrentPrincipal,
  READER_ROLES,
  Roles,
  WRITER_ROLES,
  type Principal,
} from '@lapse/auth';
import { ApiErrors, LapseError } from '@lapse/platform';
import { actorOf } from '../common/actor';
import { maskSettings } from './mask';
import { NotificationSettingsDto, type NotificationSettings } from './settings.dto';
import { SettingsService } from './settings.service';
import { WebhookTestResultDto } from './settings.dto';
import { WebhookTester, type WebhookTestResult } from './webhook-test';
import { NOTIFICATION_SETTINGS_SCHEMA } from '../common/response-schemas';

@ApiTags('settings')
@ApiBearerAuth()
@Controller('v1')
export class SettingsController {
  constructor(
    private readonly settings: SettingsService,
    private readonly tester: WebhookTester,
  ) {}

  @Get('settings/notifications')
  @ApiOkResponse({ description: 'the webhook secret masked', schema: NOTIFICATION_SETTINGS_SCHEMA })
  @Roles(...READER_ROLES)
  async get(): Promise<NotificationSettings> {
    return maskSettings(await this.settings.get());
  }

  @Put('settings/notifications')
  @ApiOkResponse({
    description: 'a generated webhook secret in full (the only time it is shown), else masked',
    schema: NOTIFICATION_SETTINGS_SCHEMA,
  })
  @Roles(...WRITER_ROLES)
  put(
    @Body() dto: NotificationSettingsDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<NotificationSettings> {
    return this.settings.update(dto, actorOf(p));
  }

  /** One signed test event to the configured webhook; answers what the receiver said. */
  @Post('settings/notifications/webhook-test')
  @ApiErrors(409)
  @HttpCode(200)
  @Roles(...WRITER_ROLES)
  @ApiOperation({
    summary:
      'Send one signed test event (type TEST) to the webhook now and show the receiver’s answer (409 when no webhook is set; 400 webhook.url for a refused target)',
  })
  @ApiOkResponse({ type: WebhookTestResultDto })
  webhookTest(@CurrentPrincipal() p: Principal): Promise<WebhookTestResult> {
    return this.tester.send(actorOf(p));
  }

  /** Services only (the notifications service): the settings with the webhook secret in full. */
  @Get('internal/notification-settings')
  @ApiOkResponse({
    description: 'the webhook secret in full',
    schema: NOTIFICATION_SETTINGS_SCHEMA,
  })
  @AllowService('notifications')
  internal(@CurrentPrincipal() p: Principal): Promise<NotificationSettings> {
    if (p.kind !== 'service') throw LapseError.forbidden('for Lapse services only');
    return this.settings.get();
  }
}
