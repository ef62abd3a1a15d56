/**
 * One way for every service to document its errors in OpenAPI. `documentErrors` adds, to every
 * operation of a document, the error answers every Lapse route can give (from the validation
 * pipe, the auth guard, the body parser and the exception filter), each with the error body
 * `{statusCode, error, message}`; `ApiErrors` adds the ones only some operations give (404 on a
 * route without a path parameter, 409). A generated client then knows every answer.
 *
 * `documentRequests` states in the document what the validation pipe enforces on every request:
 * no unknown body fields (additionalProperties: false), no control characters in any text
 * (rule 15), and, where a service says so, UUID path parameters.
 */
import { ApiResponse, type OpenAPIObject } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { PUBLIC_EXTENSION } from './public';

export const ERROR_BODY_REF = '#/components/schemas/ErrorBody';

const ERROR_BODY = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  additionalProperties: false,
  properties: {
    statusCode: { type: 'integer', minimum: 400, maximum: 599 },
    error: { type: 'string' },
    message: { type: 'string', description: 'What went wrong; a 400 names the field first' },
  },
} as const;

const WHY: Record<number, string> = {
  400: 'A field is invalid (the message names it), or the body is not JSON',
  401: 'No valid bearer token',
  403: 'The caller may not do this',
  404: 'Not found (or not visible to the caller)',
  409: 'Conflicts with the current state',
  413: 'The body is larger than the service accepts',
  503: 'A service or server Lapse depends on is unavailable: retry after Retry-After seconds',
};

interface Schema {
  type?: string;
  required?: string[];
  format?: string;
  enum?: unknown[];
  pattern?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

type Parameter = { in: string; name: string; schema?: Schema };

type Operation = {
  parameters?: Parameter[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  [PUBLIC_EXTENSION]?: boolean;
};

const errorResponse = (status: number) => ({
  description: WHY[status] ?? 'Error',
  content: { 'application/json': { schema: { $ref: ERROR_BODY_REF } } },
});

/** Error answers only some operations give (e.g. 409, or 404 on a route without an id). */
export const ApiErrors = (...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 503)[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: WHY[status],
        schema: { $ref: ERROR_BODY_REF },
      }),
    ),
  );

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/**
 * Adds the answers every operation of `doc` can give: 400 when it takes input (any parameter,
 * query or body: the validation pipe; a control character anywhere), 401 and 403 unless public
 * (the auth guard), 404 when the path has a parameter, 413 when it takes a body, 503 always (a
 * dependency down). Answers an operation documents itself are kept.
 */
export function documentErrors(doc: OpenAPIObject): OpenAPIObject {
  doc.components = doc.components ?? {};
  doc.components.schemas = { ...doc.components.schemas, ErrorBody: { ...ERROR_BODY } as never };
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      const statuses: number[] = [503];
      if ((op.parameters?.length ?? 0) > 0 || op.requestBody || method !== 'get')
        statuses.push(400);
      if (!op[PUBLIC_EXTENSION]) statuses.push(401, 403);
      if (path.includes('{')) statuses.push(404);
      if (op.requestBody) statuses.push(413);
      // Operations may share one responses object: give each its own.
      op.responses = { ...op.responses };
      for (const status of statuses) {
        const key = String(status);
        if (!op.responses[key]) op.responses[key] = errorResponse(status);
      }
    }
  }
  return doc;
}

/** Text without NUL, other C0 control characters or DEL (tab and line breaks are text). */
export const NO_CONTROL_CHARS = '^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]*$';

export interface RequestRules {
  /** Every path parameter is a UUID (the service validates them so). */
  uuidPathParams?: boolean;
}

/**
 * What the validation pipe enforces, said in the document: body objects take no field they do not
 * declare; strings in path, query and body carry no control characters; path parameters are
 * UUIDs when `rules.uuidPathParams`.
 */
export function documentRequests(doc: OpenAPIObject, rules: RequestRules = {}): OpenAPIObject {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, Schema>;
  const seen = new Set<string>();
  const tighten = (schema: Schema | undefined): void => {
    if (!schema) return;
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      if (seen.has(name)) return;
      seen.add(name);
      tighten(schemas[name]);
      return;
    }
    if (schema.type === 'string' && !schema.enum && !schema.format && !schema.pattern)
      schema.pattern = NO_CONTROL_CHARS;
    if (schema.properties) {
      if (schema.additionalProperties === undefined) schema.additionalProperties = false;
      for (const child of Object.values(schema.properties)) tighten(child);
    }
    tighten(schema.items);
    for (const list of [schema.allOf, schema.oneOf, schema.anyOf]) list?.forEach(tighten);
  };
  for (const item of Object.values(doc.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      for (const param of op.parameters ?? []) {
        if (param.in === 'path' && rules.uuidPathParams && param.schema) {
          param.schema = { type: 'string', format: 'uuid' };
          continue;
        }
        if (param.in === 'path' || param.in === 'query') tighten(param.schema);
      }
      const body = op.requestBody as
        | { required?: boolean; content?: Record<string, { schema?: Schema }> }
        | undefined;
      for (const media of Object.values(body?.content ?? {})) {
        tighten(media.schema);
        // A body whose fields are all optional may be left out (the pipe reads it as {}).
        if (body && !requiredFields(media.schema, schemas)) body.required = false;
      }
    }
  }
  return doc;
}

function requiredFields(schema: Schema | undefined, schemas: Record<string, Schema>): boolean {
  const target = schema?.$ref ? schemas[schema.$ref.replace('#/components/schemas/', '')] : schema;
  return (target?.required?.length ?? 0) > 0 || target?.type !== 'object';
}
