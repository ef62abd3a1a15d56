/** SCIM error responses (RFC 7644 §3.12). */
export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail: string;
}

/** A client-facing SCIM failure: an HTTP status, an optional `scimType` and a detail naming the attribute. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly scimType?: ScimType,
  ) {
    super(message);
    this.name = 'ScimError';
  }

  static invalidValue(attribute: string, message: string): ScimError {
    return new ScimError(400, `${attribute}: ${message}`, 'invalidValue');
  }
  static invalidSyntax(message: string): ScimError {
    return new ScimError(400, message, 'invalidSyntax');
  }
  static invalidFilter(message: string): ScimError {
    return new ScimError(400, `filter: ${message}`, 'invalidFilter');
  }
  static invalidPath(message: string): ScimError {
    return new ScimError(400, message, 'invalidPath');
  }
  static noTarget(message: string): ScimError {
    return new ScimError(400, message, 'noTarget');
  }
  static mutability(attribute: string): ScimError {
    return new ScimError(400, `${attribute}: is read-only`, 'mutability');
  }
  static uniqueness(message: string): ScimError {
    return new ScimError(409, message, 'uniqueness');
  }
  static notFound(what: string, id: string): ScimError {
    return new ScimError(404, `${what} ${id} not found`);
  }
  static unauthorized(message = 'missing or invalid SCIM bearer token'): ScimError {
    return new ScimError(401, message);
  }
  static methodNotAllowed(method: string, path: string): ScimError {
    return new ScimError(405, `${method} is not supported on ${path}`);
  }
  static notImplemented(message: string): ScimError {
    return new ScimError(501, message);
  }
}

export function scimErrorBody(status: number, detail: string, scimType?: ScimType): ScimErrorBody {
  return {
    schemas: [SCIM_ERROR_SCHEMA],
    status: String(status),
    ...(scimType ? { scimType } : {}),
    detail,
  };
}
