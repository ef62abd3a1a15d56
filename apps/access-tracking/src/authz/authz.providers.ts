import type { Provider } from '@nestjs/common';
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
