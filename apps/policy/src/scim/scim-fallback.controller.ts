import { All, Controller, Req, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '@lapse/auth';
import { ScimExceptionFilter } from './scim-exception.filter';
import { ScimTokenGuard } from './scim-token.guard';
import { ScimError } from './scim.errors';

/** Paths of the SCIM API and the methods each answers. */
const ROUTES: [RegExp, string[]][] = [
  [/^(ServiceProviderConfig|ResourceTypes|Schemas)(\/[^/]+)?$/i, ['GET']],
  [/^(Users|Groups)$/i, ['GET', 'POST']],
  [/^(Users|Groups)\/\.search$/i, ['POST']],
  [/^(Users|Groups)\/[^/]+$/i, ['GET', 'PUT', 'PATCH', 'DELETE']],
];

/** Features Lapse does not offer (RFC 7644 §3.4.3 root search, §3.7 bulk, §3.11 /Me): 501. */
const NOT_IMPLEMENTED = /^(\.search|Bulk|Me)(\/.*)?$/i;

/**
 * Registered after the other SCIM controllers: what they do not answer is a SCIM error — 405 for
 * a method a path does not take, 501 for an optional feature Lapse does not offer, else 404.
 */
@ApiExcludeController()
@Public()
@UseGuards(ScimTokenGuard)
@UseFilters(ScimExceptionFilter)
@Controller('scim/v2')
export class ScimFallbackController {
  @All('{*path}')
  fallback(@Req() req: Request): never {
    const path = req.path.replace(/^\/scim\/v2\/?/, '').replace(/\/$/, '');
    if (NOT_IMPLEMENTED.test(path))
      throw ScimError.notImplemented(`/${path} is not supported by Lapse`);
    const route = ROUTES.find(([re]) => re.test(path));
    if (route && !route[1].includes(req.method)) {
      req.res?.setHeader('Allow', route[1].join(', '));
      throw ScimError.methodNotAllowed(req.method, `/${path}`);
    }
    throw new ScimError(404, `/${path} not found`);
  }
}
