import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  AllowService,
  CurrentPrincipal,
  READER_ROLES,
  Roles,
  USER_DIRECTORY_CALLERS,
  WRITER_ROLES,
  type Principal,
} from '@lapse/auth';
import { ApiErrors, type Page } from '@lapse/platform';
import { uuid } from '../common/ids';
import {
  CreateUserDto,
  UpdateUserDto,
  UserPage,
  UserQueryDto,
  UserResponse,
  type UserView,
} from './users.dto';
import { UsersService, userActorOf } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiCreatedResponse({ type: UserResponse })
  @ApiErrors(409)
  @Roles(...WRITER_ROLES)
  create(@Body() dto: CreateUserDto, @CurrentPrincipal() p: Principal): Promise<UserView> {
    return this.users.create(dto, userActorOf(p));
  }

  @Get()
  @ApiOkResponse({ type: UserPage })
  @Roles(...READER_ROLES)
  @AllowService('notifications', 'console', 'access-tracking')
  find(@Query() q: UserQueryDto): Promise<Page<UserView>> {
    return this.users.find(q);
  }

  @Get(':id')
  @ApiOkResponse({ type: UserResponse })
  @Roles(...READER_ROLES)
  @AllowService(...USER_DIRECTORY_CALLERS)
  get(@Param('id', uuid('id')) id: string): Promise<UserView> {
    return this.users.get(id);
  }

  /** Name, roles, active (false offboards, rule 12); rule 13 decides who may. */
  @Patch(':id')
  @ApiOkResponse({ type: UserResponse })
  @ApiErrors(409)
  @Roles(...WRITER_ROLES)
  update(
    @Param('id', uuid('id')) id: string,
    @Body() dto: UpdateUserDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<UserView> {
    return this.users.update(id, dto, userActorOf(p));
  }

  /** Offboards the user (rule 12) and takes them out of every group; the record stays, inactive. */
  @Delete(':id')
  @ApiNoContentResponse({ description: 'Offboarded' })
  @ApiErrors(409)
  @HttpCode(204)
  @Roles(...WRITER_ROLES)
  async remove(
    @Param('id', uuid('id')) id: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<void> {
    await this.users.offboard(id, userActorOf(p), { removeMemberships: true });
  }
}
