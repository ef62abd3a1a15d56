import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, READER_ROLES, Roles, WRITER_ROLES, type Principal } from '@lapse/auth';
import type { GrantView } from '@lapse/contracts';
import { ApiErrors, LapseError, PageQueryDto, type Page } from '@lapse/platform';
import { actorOf } from '../common/actor';
import { uuid } from '../common/ids';
import { GrantsService, type UserGrant } from './grants.service';
import { GRANT_SCHEMA, USER_GRANT_SCHEMA, pageOfSchema } from '../common/response-schemas';

@ApiTags('grants')
@ApiBearerAuth()
@Controller('v1/users/:userId')
export class GrantsController {
  constructor(private readonly grants: GrantsService) {}

  @Get('grants')
  @ApiOkResponse({ schema: pageOfSchema(USER_GRANT_SCHEMA) })
  @Roles(...READER_ROLES)
  list(
    @Param('userId', uuid('userId')) userId: string,
    @Query() q: PageQueryDto,
  ): Promise<Page<UserGrant>> {
    return this.grants.list(userId, q);
  }

  /** Rule 3: ADMIN or DEVOPS unlock a locked grant (recorded as "last unlocked by an admin"). */
  @Post('resources/:resourceId/unlock')
  @ApiOkResponse({ description: 'The grant, ACTIVE', schema: GRANT_SCHEMA })
  @ApiErrors(409)
  @HttpCode(200)
  @Roles(...WRITER_ROLES)
  unlock(
    @Param('userId', uuid('userId')) userId: string,
    @Param('resourceId', uuid('resourceId')) resourceId: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<GrantView> {
    // Rule 13 (four eyes): the workflow refuses it too; saying so here spares the round trip.
    if (p.kind === 'user' && p.id === userId)
      throw LapseError.forbidden('nobody unlocks their own grant (four eyes)');
    return this.grants.unlock({ userId, resourceId }, actorOf(p) ?? 'unknown');
  }
}
