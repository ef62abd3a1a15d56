import { Controller, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@lapse/auth';
import { ScimExceptionFilter } from './scim-exception.filter';
import { ScimResourceController } from './scim-resource.controller';
import { ScimTokenGuard } from './scim-token.guard';
import { ScimUsersService } from './scim-users.service';

/** SCIM Users (RFC 7644 §3): create, get, list/search with filter and paging, PUT, PATCH, DELETE. */
@ApiExcludeController()
@Public()
@UseGuards(ScimTokenGuard)
@UseFilters(ScimExceptionFilter)
@Controller('scim/v2/Users')
export class ScimUsersController extends ScimResourceController {
  constructor(protected readonly service: ScimUsersService) {
    super();
  }
}
