import { Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { exactObject } from '@lapse/contracts';
import { CurrentPrincipal, Roles, type Principal } from '@lapse/auth';
import { actorOf } from '../common/actor';
import { ScimTokenService } from './scim-token.service';

@ApiTags('settings')
@ApiBearerAuth()
@Controller('v1/settings/scim-token')
export class ScimTokenController {
  constructor(private readonly tokens: ScimTokenService) {}

  @Post()
  @ApiCreatedResponse({
    description: 'The new token (shown this once)',
    schema: exactObject({ token: { type: 'string' } }),
  })
  @Roles('ADMIN')
  @ApiOperation({
    summary:
      'A new SCIM bearer token for the identity provider, shown once; the previous one stops working.',
  })
  create(@CurrentPrincipal() p: Principal): Promise<{ token: string }> {
    return this.tokens.rotate(actorOf(p));
  }
}
