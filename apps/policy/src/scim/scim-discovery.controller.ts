import { Controller, Get, Param, Req, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '@lapse/auth';
import { listResponse, scimBase } from './scim-http';
import { ScimExceptionFilter } from './scim-exception.filter';
import { RESOURCE_TYPES, SCHEMAS, SERVICE_PROVIDER_CONFIG, withBase } from './scim-schemas';
import { ScimTokenGuard } from './scim-token.guard';
import { ScimError } from './scim.errors';

/** Discovery (RFC 7644 §4): what this SCIM server serves, for identity providers and checkers. */
@ApiExcludeController()
@Public()
@UseGuards(ScimTokenGuard)
@UseFilters(ScimExceptionFilter)
@Controller('scim/v2')
export class ScimDiscoveryController {
  @Get('ServiceProviderConfig')
  config(@Req() req: Request) {
    return withBase(SERVICE_PROVIDER_CONFIG, scimBase(req));
  }

  @Get('ResourceTypes')
  resourceTypes(@Req() req: Request) {
    const docs = RESOURCE_TYPES.map((d) => withBase(d, scimBase(req)));
    return listResponse(docs.length, 1, docs);
  }

  @Get('ResourceTypes/:id')
  resourceType(@Param('id') id: string, @Req() req: Request) {
    const doc = RESOURCE_TYPES.find((d) => d.id === id);
    if (!doc) throw ScimError.notFound('ResourceType', id);
    return withBase(doc, scimBase(req));
  }

  @Get('Schemas')
  schemas(@Req() req: Request) {
    const docs = SCHEMAS.map((d) => withBase(d, scimBase(req)));
    return listResponse(docs.length, 1, docs);
  }

  @Get('Schemas/:id')
  schema(@Param('id') id: string, @Req() req: Request) {
    const doc = SCHEMAS.find((d) => d.id === id);
    if (!doc) throw ScimError.notFound('Schema', id);
    return withBase(doc, scimBase(req));
  }
}
