import { Module } from '@nestjs/common';
import { exitOnBootFailure, startService } from '@lapse/platform';
import { createAppModule } from './app.module';
import { loadServiceConfig } from './config';
import { configureApp } from './http/configure-app';

async function main() {
  const config = loadServiceConfig();

  @Module({ imports: [createAppModule(config)] })
  class ConsoleService {}

  await startService(ConsoleService, {
    name: 'console',
    title: 'Lapse console',
    port: config.PORT,
    // Pages only: no REST API to describe.
    openApi: false,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    configure: (app) => configureApp(app),
  });
}

main().catch(exitOnBootFailure('console'));
