import { DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { USER_DIRECTORY, type UserDirectory } from './principal';
import { TokenVerifier, type JwtSettings } from './tokens';

/** The auth settings every service reads from its validated config. */
export interface AuthConfig {
  LAPSE_JWT_SECRET?: string;
  LAPSE_JWKS_URL?: string;
  LAPSE_JWT_ISSUER?: string;
  LAPSE_JWT_AUDIENCE?: string;
  LAPSE_JWT_ALGORITHMS?: string[];
  LAPSE_SERVICE_SECRET?: string;
}

/** The verifier's settings of the service named `service` (the audience of its service tokens). */
export function jwtSettingsOf(c: AuthConfig, service: string): JwtSettings {
  return {
    secret: c.LAPSE_JWT_SECRET,
    jwksUrl: c.LAPSE_JWKS_URL,
    issuer: c.LAPSE_JWT_ISSUER,
    audience: c.LAPSE_JWT_AUDIENCE,
    algorithms: c.LAPSE_JWT_ALGORITHMS,
    serviceSecret: c.LAPSE_SERVICE_SECRET,
    service,
  };
}

export interface AuthOptions {
  jwt: JwtSettings;
  /**
   * How callers' user records are found: policy reads its table, the others ask policy
   * (`PolicyUserDirectory` of `@lapse/policy-client`).
   */
  directory: Omit<Provider, 'provide'> &
    (
      | { useClass: unknown }
      | { useFactory: unknown }
      | { useValue: unknown }
      | { useExisting: unknown }
    );
}

/** Installs the global AuthGuard: every endpoint checks who is calling. */
@Global()
@Module({})
export class AuthModule {
  /** Auth for a service other than policy: callers' user records come from `directory`. */
  static forService(config: AuthConfig, service: string, directory: UserDirectory): DynamicModule {
    if (!config.LAPSE_SERVICE_SECRET) throw new Error('LAPSE_SERVICE_SECRET must be set');
    return AuthModule.forRoot({
      jwt: jwtSettingsOf(config, service),
      directory: { useValue: directory },
    });
  }

  static forRoot(opts: AuthOptions): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        { provide: TokenVerifier, useValue: new TokenVerifier(opts.jwt) },
        { ...(opts.directory as object), provide: USER_DIRECTORY } as Provider,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [TokenVerifier, USER_DIRECTORY],
    };
  }
}
