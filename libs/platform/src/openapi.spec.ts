import type { OpenAPIObject } from '@nestjs/swagger';
import { ERROR_BODY_REF, NO_CONTROL_CHARS, documentErrors, documentRequests } from './openapi';
import { PUBLIC_EXTENSION } from './public';

const ok = { '200': { description: 'ok' } };

function doc(): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/v1/things': {
        get: {
          parameters: [{ in: 'query', name: 'q', schema: { type: 'string' } }],
          responses: ok,
        },
        post: {
          requestBody: {
            content: { 'application/json': { schema: { $ref: '#/components/schemas/NewThing' } } },
          },
          responses: { '201': { description: 'made' }, '409': { description: 'taken' } },
        },
      },
      '/v1/things/{id}': {
        patch: {
          parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'string' } }],
          requestBody: {
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Patch' } } },
          },
          responses: ok,
        },
      },
      '/v1/open': { get: { [PUBLIC_EXTENSION]: true, responses: ok } as never },
    },
    components: {
      schemas: {
        NewThing: {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string' },
            kind: { type: 'string', enum: ['A', 'B'] },
            tags: { type: 'array', items: { type: 'string' } },
          },
        },
        Patch: { type: 'object', properties: { name: { type: 'string' } } },
      },
    },
  };
}

describe('documentErrors', () => {
  it('adds the answers each operation can give, with the error body, keeping its own', () => {
    const d = documentErrors(doc());
    const codes = (path: string, method: string) =>
      Object.keys((d.paths[path] as Record<string, { responses: object }>)[method].responses);
    expect(codes('/v1/things', 'get').sort()).toEqual(['200', '400', '401', '403', '503']);
    expect(codes('/v1/things', 'post').sort()).toEqual(
      ['201', '400', '401', '403', '409', '413', '503'].sort(),
    );
    expect(codes('/v1/things/{id}', 'patch')).toContain('404');
    expect(codes('/v1/open', 'get').sort()).toEqual(['200', '503']);
    expect(d.paths['/v1/things'].post?.responses['409']).toEqual({ description: 'taken' });
    expect(d.paths['/v1/things'].get?.responses['401']).toMatchObject({
      content: { 'application/json': { schema: { $ref: ERROR_BODY_REF } } },
    });
    expect(d.components?.schemas?.ErrorBody).toMatchObject({
      required: ['statusCode', 'error', 'message'],
    });
  });
});

describe('documentRequests', () => {
  it('states what the validation pipe enforces: no unknown fields, no control characters', () => {
    const d = documentRequests(doc());
    const schemas = d.components?.schemas as Record<string, Record<string, unknown>>;
    expect(schemas.NewThing.additionalProperties).toBe(false);
    const props = schemas.NewThing.properties as Record<string, Record<string, unknown>>;
    expect(props.name.pattern).toBe(NO_CONTROL_CHARS);
    expect(props.kind.pattern).toBeUndefined();
    expect((props.tags.items as { pattern: string }).pattern).toBe(NO_CONTROL_CHARS);
    const q = d.paths['/v1/things'].get?.parameters?.[0] as { schema: { pattern: string } };
    expect(q.schema.pattern).toBe(NO_CONTROL_CHARS);
    const re = new RegExp(NO_CONTROL_CHARS);
    expect(re.test('two\nlines\tand tabs')).toBe(true);
    expect(re.test('nul\u0000')).toBe(false);
    expect(re.test('del\u007f')).toBe(false);
  });

  it('a body of optional fields may be left out; a required field keeps it required', () => {
    const d = documentRequests(doc());
    expect((d.paths['/v1/things/{id}'].patch?.requestBody as { required?: boolean }).required).toBe(
      false,
    );
    expect(
      (d.paths['/v1/things'].post?.requestBody as { required?: boolean }).required,
    ).toBeUndefined();
  });

  it('makes path parameters UUIDs when the service says so', () => {
    const d = documentRequests(doc(), { uuidPathParams: true });
    expect(d.paths['/v1/things/{id}'].patch?.parameters?.[0]).toMatchObject({
      schema: { type: 'string', format: 'uuid' },
    });
  });
});
