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
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@lapse/auth';
import { ScimExceptionFilter } from './scim-exception.filter';
import { listResponse, scimBase } from './scim-http';
import { parsePatchRequest } from './scim-patch';
import { listParams, project } from './scim-query';
import { ScimTokenGuard } from './scim-token.guard';
import { ScimUsersService } from './scim-users.service';

/** SCIM Users (RFC 7644 §3): create, get, list/search with filter and paging, PUT, PATCH, DELETE. */
@ApiExcludeController()
@Public()
@UseGuards(ScimTokenGuard)
@UseFilters(ScimExceptionFilter)
@Controller('scim/v2/Users')
export class ScimUsersController {
  constructor(private readonly users: ScimUsersService) {}

  @Get()
  async list(@Query() q: Record<string, unknown>, @Req() req: Request) {
    const p = listParams(q);
    const page = await this.users.list(p, scimBase(req));
    return listResponse(
      page.total,
      p.startIndex,
      page.resources.map((r) => project(r, p)),
    );
  }

  @Post('.search')
  @HttpCode(200)
  search(@Body() body: unknown, @Req() req: Request) {
    return this.list((body ?? {}) as Record<string, unknown>, req);
  }

  @Get(':id')
  async get(@Param('id') id: string, @Query() q: Record<string, unknown>, @Req() req: Request) {
    return project(await this.users.get(id, scimBase(req)), listParams(q));
  }

  @Post()
  async create(
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const user = await this.users.create(body, scimBase(req));
    res.status(201).setHeader('Location', (user.meta as { location: string }).location);
    return user;
  }

  @Put(':id')
  replace(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    return this.users.replace(id, body, scimBase(req));
  }

  @Patch(':id')
  async patch(
    @Param('id') id: string,
    @Body() body: unknown,
    @Query() q: Record<string, unknown>,
    @Req() req: Request,
  ) {
    const p = listParams(q);
    return project(await this.users.patch(id, parsePatchRequest(body), scimBase(req)), p);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string): Promise<void> {
    await this.users.delete(id);
  }
}
