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
  AddMemberDto,
  CreateGroupDto,
  GroupQueryDto,
  ReplaceMembersDto,
  UpdateGroupDto,
  type GroupSummary,
  type GroupView,
} from './groups.dto';
import { GroupsService } from './groups.service';
import { GROUP_SCHEMA, GROUP_SUMMARY_SCHEMA, pageOfSchema } from '../common/response-schemas';

@ApiTags('groups')
@ApiBearerAuth()
@Controller('v1/groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Post()
  @ApiCreatedResponse({ schema: GROUP_SCHEMA })
  @Roles(...WRITER_ROLES)
  create(@Body() dto: CreateGroupDto, @CurrentPrincipal() p: Principal): Promise<GroupView> {
    return this.groups.create(dto.name, actorOf(p));
  }

  @Get()
  @ApiOkResponse({ schema: pageOfSchema(GROUP_SUMMARY_SCHEMA) })
  @Roles(...READER_ROLES)
  list(@Query() q: GroupQueryDto): Promise<Page<GroupSummary>> {
    return this.groups.list(q);
  }

  @Patch(':id')
  @ApiOkResponse({ schema: GROUP_SCHEMA })
  @Roles(...WRITER_ROLES)
  rename(
    @Param('id', uuid('id')) id: string,
    @Body() dto: UpdateGroupDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<GroupView> {
    return this.groups.rename(id, dto.name, actorOf(p));
  }

  /** Its assignments go, and so do the grants they gave (recomputed from what is left). */
  @Delete(':id')
  @HttpCode(204)
  @Roles(...WRITER_ROLES)
  delete(@Param('id', uuid('id')) id: string, @CurrentPrincipal() p: Principal): Promise<void> {
    return this.groups.remove(id, actorOf(p));
  }

  @Get(':id')
  @ApiOkResponse({ schema: GROUP_SCHEMA })
  @Roles(...READER_ROLES)
  @AllowService('notifications', 'console')
  get(@Param('id', uuid('id')) id: string): Promise<GroupView> {
    return this.groups.get(id);
  }

  @Put(':id/members')
  @ApiOkResponse({ schema: GROUP_SCHEMA })
  @Roles(...WRITER_ROLES)
  replace(
    @Param('id', uuid('id')) id: string,
    @Body() dto: ReplaceMembersDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<GroupView> {
    return this.groups.replaceMembers(id, dto.userIds, actorOf(p));
  }

  @Post(':id/members')
  @ApiOkResponse({ schema: GROUP_SCHEMA })
  @HttpCode(200)
  @Roles(...WRITER_ROLES)
  add(
    @Param('id', uuid('id')) id: string,
    @Body() dto: AddMemberDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<GroupView> {
    return this.groups.addMember(id, dto.userId.toLowerCase(), actorOf(p));
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  @Roles(...WRITER_ROLES)
  remove(
    @Param('id', uuid('id')) id: string,
    @Param('userId', uuid('userId')) userId: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<void> {
    return this.groups.removeMember(id, userId, actorOf(p));
  }
}
