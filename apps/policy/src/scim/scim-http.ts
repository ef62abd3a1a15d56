import type { Request } from 'express';
import { LIST_RESPONSE_SCHEMA } from './scim-schemas';

/** The SCIM base URL as the caller reached it, for `meta.location` and `$ref`. */
export function scimBase(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}/scim/v2`;
}

export function listResponse(total: number, startIndex: number, resources: unknown[]) {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
