import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { READER_ROLES, Roles } from '@lapse/auth';
import { PageQueryDto, type Page } from '@lapse/platform';
import { uuid } from '../common/ids';
import { GrantsService, type ResourceGrant } from './grants.service';
import { RESOURCE_GRANT_SCHEMA, pageOfSchema } from '../common/response-schemas';

@ApiTags('grants')
@ApiBearerAuth()
@Controller('v1/resources/:id/grants')
export class ResourceGrantsController {
  constructor(private readonly grants: GrantsService) {}

  /** Each user's grant to the resource: state, last access, last admin unlock, open request. */
  @Get()
  @ApiOkResponse({ schema: pageOfSchema(RESOURCE_GRANT_SCHEMA) })
  @Roles(...READER_ROLES)
  list(
    @Param('id', uuid('id')) id: string,
    @Query() q: PageQueryDto,
  ): Promise<Page<ResourceGrant>> {
    return this.grants.forResource(id, q);
  }
}
