import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  AllowService,
  CurrentPrincipal,
  READER_ROLES,
  Roles,
  WRITER_ROLES,
  type Principal,
} from '@lapse/auth';
import { type Page } from '@lapse/platform';
import { actorOf } from '../common/actor';
import { uuid } from '../common/ids';
import {
  ApproversDto,
  CreateResourceDto,
  ResourceQueryDto,
  UpdateResourceDto,
  type ApproversView,
  type ResourceView,
} from './resources.dto';
import { ResourcesService } from './resources.service';
import { APPROVERS_SCHEMA, RESOURCE_SCHEMA, pageOfSchema } from '../common/response-schemas';

@ApiTags('resources')
@ApiBearerAuth()
@Controller('v1/resources')
export class ResourcesController {
  constructor(private readonly resources: ResourcesService) {}

  @Post()
  @ApiCreatedResponse({ schema: RESOURCE_SCHEMA })
  @Roles(...WRITER_ROLES)
  create(@Body() dto: CreateResourceDto, @CurrentPrincipal() p: Principal): Promise<ResourceView> {
    return this.resources.create(dto, actorOf(p));
  }

  /** The console lists resources; access-tracking reads every address for forward-auth. */
  @Get()
  @ApiOkResponse({ schema: pageOfSchema(RESOURCE_SCHEMA) })
  @Roles(...READER_ROLES)
  @AllowService('console', 'access-tracking')
  list(@Query() q: ResourceQueryDto): Promise<Page<ResourceView>> {
    return this.resources.list(q);
  }

  @Get(':id')
  @ApiOkResponse({ schema: RESOURCE_SCHEMA })
  @Roles(...READER_ROLES)
  @AllowService('requests', 'notifications', 'console', 'access-tracking')
  get(@Param('id', uuid('id')) id: string): Promise<ResourceView> {
    return this.resources.get(id);
  }

  @Patch(':id')
  @ApiOkResponse({ schema: RESOURCE_SCHEMA })
  @Roles(...WRITER_ROLES)
  update(
    @Param('id', uuid('id')) id: string,
    @Body() dto: UpdateResourceDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<ResourceView> {
    return this.resources.update(id, dto, actorOf(p));
  }

  /** Its assignments and approver groups go; every grant to it is revoked. */
  @Delete(':id')
  @HttpCode(204)
  @Roles(...WRITER_ROLES)
  remove(@Param('id', uuid('id')) id: string, @CurrentPrincipal() p: Principal): Promise<void> {
    return this.resources.remove(id, actorOf(p));
  }

  @Put(':id/approvers')
  @ApiOkResponse({ schema: RESOURCE_SCHEMA })
  @Roles(...WRITER_ROLES)
  setApprovers(
    @Param('id', uuid('id')) id: string,
    @Body() dto: ApproversDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<ResourceView> {
    return this.resources.setApprovers(id, dto.groupIds, actorOf(p));
  }

  @Get(':id/approvers')
  @ApiOkResponse({ schema: APPROVERS_SCHEMA })
  @Roles(...READER_ROLES)
  @AllowService('requests', 'notifications')
  approvers(@Param('id', uuid('id')) id: string): Promise<ApproversView> {
    return this.resources.approvers(id);
  }
}
