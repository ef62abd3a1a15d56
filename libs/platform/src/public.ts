import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const PUBLIC_KEY = 'lapse:public';
/** Marks a public operation in the OpenAPI document: it answers no 401/403 of the auth guard. */
export const PUBLIC_EXTENSION = 'x-lapse-public';
/** No token needed (health, metrics, docs); the auth guard lets these through. */
export const Public = () =>
  applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension(PUBLIC_EXTENSION, true));
