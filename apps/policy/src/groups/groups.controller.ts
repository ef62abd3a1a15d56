import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  AllowService,
  CurrentPrincipal,
  READER_ROLES,
  Roles,
  WRITER_ROLES,
  type Principal,
} from '@lapse/auth';
import { actorOf } from '../common/actor';
import { uuid } from '../common/ids';
import { AddMemberDto, CreateGroupDto, ReplaceMembersDto, type GroupView } from './groups.dto';
import { GroupsService } from './groups.service';

@ApiTags('groups')
@ApiBearerAuth()
@Controller('v1/groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Post()
  @Roles(...WRITER_ROLES)
  create(@Body() dto: CreateGroupDto, @CurrentPrincipal() p: Principal): Promise<GroupView> {
    return this.groups.create(dto.name, actorOf(p));
  }

  @Get(':id')
  @Roles(...READER_ROLES)
  @AllowService('notifications', 'console')
  get(@Param('id', uuid('id')) id: string): Promise<GroupView> {
    return this.groups.get(id);
  }

  @Put(':id/members')
  @Roles(...WRITER_ROLES)
  replace(
    @Param('id', uuid('id')) id: string,
    @Body() dto: ReplaceMembersDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<GroupView> {
    return this.groups.replaceMembers(id, dto.userIds, actorOf(p));
  }

  @Post(':id/members')
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
