import {
  Body,
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
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { listResponse, scimBase } from './scim-http';
import { parsePatchRequest, type PatchOperation } from './scim-patch';
import { listParams, project, type ListParams } from './scim-query';

type ScimResource = Record<string, unknown>;
type Projection = Pick<ListParams, 'attributes' | 'excludedAttributes'>;

/** What the service of one SCIM resource type (Users, Groups) does for its endpoints. */
export interface ScimResourceService {
  list(p: ListParams, base: string): Promise<{ total: number; resources: ScimResource[] }>;
  /** `p`: the attributes asked for (a service may read less for fewer). */
  get(id: string, base: string, p?: Projection): Promise<ScimResource>;
  create(body: unknown, base: string): Promise<ScimResource>;
  replace(id: string, body: unknown, base: string): Promise<ScimResource>;
  patch(id: string, ops: PatchOperation[], base: string, p?: Projection): Promise<ScimResource>;
  delete(id: string): Promise<void>;
}

/**
 * The SCIM endpoints (RFC 7644 §3) of one resource type: create, get, list/search with filter and
 * paging, PUT, PATCH, DELETE. A subclass names the path (`@Controller`), its guards and filter,
 * and the service.
 */
export abstract class ScimResourceController {
  protected abstract readonly service: ScimResourceService;

  @Get()
  async list(@Query() q: Record<string, unknown>, @Req() req: Request) {
    const p = listParams(q);
    const page = await this.service.list(p, scimBase(req));
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
    const p = listParams(q);
    return project(await this.service.get(id, scimBase(req), p), p);
  }

  @Post()
  async create(
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const created = await this.service.create(body, scimBase(req));
    res.status(201).setHeader('Location', (created.meta as { location: string }).location);
    return created;
  }

  @Put(':id')
  replace(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    return this.service.replace(id, body, scimBase(req));
  }

  @Patch(':id')
  async patch(
    @Param('id') id: string,
    @Body() body: unknown,
    @Query() q: Record<string, unknown>,
    @Req() req: Request,
  ) {
    const p = listParams(q);
    return project(await this.service.patch(id, parsePatchRequest(body), scimBase(req), p), p);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string): Promise<void> {
    await this.service.delete(id);
  }
}
