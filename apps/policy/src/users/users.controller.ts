import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
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
import { CreateUserDto, UserQueryDto, type UserView } from './users.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Roles(...WRITER_ROLES)
  create(@Body() dto: CreateUserDto, @CurrentPrincipal() p: Principal): Promise<UserView> {
    return this.users.create(dto, actorOf(p));
  }

  @Get()
  @Roles(...READER_ROLES)
  @AllowService()
  find(@Query() q: UserQueryDto): Promise<UserView[]> {
    return this.users.find(q);
  }

  @Get(':id')
  @Roles(...READER_ROLES)
  @AllowService()
  get(@Param('id', uuid('id')) id: string): Promise<UserView> {
    return this.users.get(id);
  }
}
