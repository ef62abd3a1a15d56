import { exitOnBootFailure, startService } from '@lapse/platform';
import { createAppModule } from './app.module';
import { loadServiceConfig } from './config';
import { configureApp } from './http/configure-app';

async function main() {
  const config = loadServiceConfig();
  await startService(createAppModule(config), {
    name: 'console',
    title: 'Lapse console',
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    // Pages only: no REST API to describe.
    openApi: false,
    configure: (app) => configureApp(app),
  });
}

main().catch(exitOnBootFailure('console'));
