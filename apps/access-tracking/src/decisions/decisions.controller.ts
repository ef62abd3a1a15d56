import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { grantKey } from '@lapse/contracts';
import { AllowService, PROXY_CALLER, Roles } from '@lapse/auth';
import { GrantProjection } from '../grants/grant-projection';
import { decide, type Decision } from './decision';
import { DecisionDto, DecisionQueryDto } from './decision-query.dto';

/** Whether a user may connect to a resource now: answered from memory (the projection). */
@ApiTags('decisions')
@ApiBearerAuth()
@Controller('v1/decisions')
export class DecisionsController {
  constructor(private readonly projection: GrantProjection) {}

  /** Proxies call with a proxy token; ADMIN, DEVOPS and SUPPORT users may look too. */
  @Get()
  @AllowService(PROXY_CALLER)
  @Roles('ADMIN', 'DEVOPS', 'SUPPORT')
  @ApiOkResponse({ type: DecisionDto })
  get(@Query() q: DecisionQueryDto): Decision {
    return decide(this.projection.get(grantKey(q)), Date.now(), this.projection.stale);
  }
}
