import { DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { USER_DIRECTORY } from './principal';
import { TokenVerifier, type JwtSettings } from './tokens';

export interface AuthOptions {
  jwt: JwtSettings;
  /** How callers' user records are found: policy reads its table, others use PolicyUserDirectory. */
  directory: Omit<Provider, 'provide'> & ({ useClass: unknown } | { useFactory: unknown } | { useValue: unknown } | { useExisting: unknown });
}

/** Installs the global AuthGuard: every endpoint checks who is calling. */
@Global()
@Module({})
export class AuthModule {
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
