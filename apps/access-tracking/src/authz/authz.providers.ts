import type { Provider, Type } from '@nestjs/common';
import { AuthzController } from './authz.controller';
import { AuthzDirectory } from './authz-directory';
import { AuthzServer } from './authz-server';
import { ForwardAuth } from './forward-auth';
import { PolicyMirror } from './policy-mirror';
import { SessionVerifier } from './session-verifier';
import { UsagePublisher } from './usage-publisher';

/** Forward-auth for reverse proxies (`/v1/authz/*`): what the app module provides for it. */
export const AUTHZ_PROVIDERS: Provider[] = [
  { provide: AuthzDirectory, useValue: new AuthzDirectory() },
  PolicyMirror,
  SessionVerifier,
  UsagePublisher,
  ForwardAuth,
  AuthzServer,
];

/** Its controller: the endpoints in OpenAPI (AuthzServer answers them first). */
export const AUTHZ_CONTROLLERS: Type<unknown>[] = [AuthzController];
