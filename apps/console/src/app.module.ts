import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DbModule } from '@lapse/db';
import { PlatformModule } from '@lapse/platform';
import { PolicyClientModule, policyClientOf } from '@lapse/policy-client';
import { AccessPagesModule } from './access/access-pages.module';
import { AdminPagesModule } from './admin/admin-pages.module';
import { AuthController } from './auth/auth.controller';
import { OidcSignIn } from './auth/oidc-sign-in';
import type { ConsoleConfig } from './config';
import { CONSOLE_CONFIG } from './config.token';
import { dataSourceOptions } from './db/data-source';
import { HomeController } from './pages/home.controller';
import { PageErrorFilter } from './pages/page-error.filter';
import { PageRenderer } from './pages/page-renderer';
import { PageShell } from './pages/page-shell';
import { UserApi } from './services/user-api';
import { SessionGuard } from './sessions/session.guard';
import { SessionStore } from './sessions/session.store';
import { Sessions } from './sessions/sessions.service';

@Global()
@Module({})
class ConfigModule {
  static forRoot(config: ConsoleConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: CONSOLE_CONFIG, useValue: config }],
      exports: [CONSOLE_CONFIG],
    };
  }
}

/**
 * The shared pieces of every console page: sessions (the global SessionGuard), the renderer and
 * layout, the CSRF check, and the services' APIs as the signed-in user. Page modules import it.
 */
@Global()
@Module({
  providers: [
    SessionStore,
    Sessions,
    UserApi,
    PageShell,
    PageErrorFilter,
    { provide: PageRenderer, useFactory: () => new PageRenderer() },
    { provide: APP_GUARD, useClass: SessionGuard },
  ],
  exports: [SessionStore, Sessions, UserApi, PageShell, PageErrorFilter, PageRenderer],
})
export class ConsoleCoreModule {}

@Module({ controllers: [HomeController, AuthController], providers: [OidcSignIn] })
class SignInModule {}

/** The console for `config` (tests pass their own database, services and provider). */
export function createAppModule(config: ConsoleConfig): DynamicModule {
  return {
    module: AppModule,
    imports: [
      ConfigModule.forRoot(config),
      PlatformModule.forRoot({ service: 'console', logLevel: config.LOG_LEVEL }),
      DbModule.forRoot(dataSourceOptions(config.DATABASE_URL)),
      PolicyClientModule.forRoot(policyClientOf(config, 'console')),
      ConsoleCoreModule,
      SignInModule,
      AccessPagesModule,
      AdminPagesModule,
    ],
  };
}

@Module({})
export class AppModule {}
