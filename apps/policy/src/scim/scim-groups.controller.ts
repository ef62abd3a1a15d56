import { Controller, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@lapse/auth';
import { ScimExceptionFilter } from './scim-exception.filter';
import { ScimResourceController } from './scim-resource.controller';
import { ScimTokenGuard } from './scim-token.guard';
import { ScimGroupsService } from './scim-groups.service';

/** SCIM Groups (RFC 7644 §3): create, get, list/search with filter and paging, PUT, PATCH, DELETE. */
@ApiExcludeController()
@Public()
@UseGuards(ScimTokenGuard)
@UseFilters(ScimExceptionFilter)
@Controller('scim/v2/Groups')
export class ScimGroupsController extends ScimResourceController {
  constructor(protected readonly service: ScimGroupsService) {
    super();
  }
}
