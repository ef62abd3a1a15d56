import { exitOnBootFailure, startService } from '@lapse/platform';
import { createAppModule } from './app.module';
import { loadServiceConfig } from './config';

async function main() {
  const config = loadServiceConfig();
  await startService(createAppModule(config), {
    name: 'grant-worker',
    title: 'Lapse grant worker',
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    // A Temporal worker: no REST API to describe.
    openApi: false,
  });
}

main().catch(exitOnBootFailure('grant-worker'));
