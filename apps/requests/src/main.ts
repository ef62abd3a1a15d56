import { exitOnBootFailure, startService } from '@lapse/platform';
import { createAppModule } from './app.module';
import { loadServiceConfig } from './config';
import { configureApp } from './http/configure-app';

async function main() {
  const config = loadServiceConfig();
  await startService(createAppModule(config), {
    name: 'requests',
    title: 'Lapse requests API',
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    configure: (app) => configureApp(app),
  });
}

main().catch(exitOnBootFailure('requests'));
