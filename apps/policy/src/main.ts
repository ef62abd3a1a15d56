import { exitOnBootFailure, startService } from '@lapse/platform';
import { createAppModule } from './app.module';
import { loadServiceConfig } from './config';

async function main() {
  const config = loadServiceConfig();
  await startService(createAppModule(config), {
    name: 'policy',
    title: 'Lapse policy API',
    port: config.PORT,
    // Every path parameter is a user, group or resource id (the uuid pipe).
    requestRules: { uuidPathParams: true },
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
}

main().catch(exitOnBootFailure('policy'));
