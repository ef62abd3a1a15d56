import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@lapse/auth';
import { GRANT_SCHEMA, type GrantView, type OwnGrantView } from '@lapse/contracts';
import { GrantClient } from '@lapse/grant-client';
import { ApiErrors, LapseError } from '@lapse/platform';
import { PolicyClient } from '@lapse/policy-client';
import { OwnGrantResponse } from './access-requests.dto';

/** The caller's own grants: as the block page shows them, and ending an active JIT period. */
@ApiTags('grants')
@ApiBearerAuth()
@Controller('v1/grants')
export class OwnGrantsController {
  constructor(
    private readonly grants: GrantClient,
    private readonly policy: PolicyClient,
  ) {}

  @Get(':resourceId')
  @ApiOperation({ summary: 'The caller’s grant to a resource (404 when they have none)' })
  @ApiOkResponse({ type: OwnGrantResponse })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('resourceId') resourceId: string,
  ): Promise<OwnGrantView> {
    if (principal.kind !== 'user') throw LapseError.forbidden('only users hold grants');
    const [grant, resource] = await Promise.all([
      this.grants.state({ userId: principal.id, resourceId }),
      this.policy.resource(resourceId),
    ]);
    if (!grant || !resource) throw LapseError.notFound('access to resource', resourceId);
    return { resource: { id: resource.id, name: resource.name, address: resource.address }, grant };
  }

  /** Rule 14: the caller ends their own active JIT period now; the grant locks at once. */
  @Post(':resourceId/end')
  @ApiOkResponse({ description: 'The grant, LOCKED', schema: GRANT_SCHEMA })
  @ApiErrors(409)
  @HttpCode(200)
  @ApiOperation({ summary: 'End your own active JIT period now: the grant locks at once' })
  end(
    @CurrentPrincipal() principal: Principal,
    @Param('resourceId') resourceId: string,
  ): Promise<GrantView> {
    if (principal.kind !== 'user') throw LapseError.forbidden('only users end their access');
    if (resourceId.length > 200)
      throw LapseError.validation('resourceId', 'must be at most 200 characters');
    return this.grants.end({ userId: principal.id, resourceId }, { userId: principal.id });
  }
}
