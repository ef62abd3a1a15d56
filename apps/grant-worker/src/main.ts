import { exitOnBootFailure, startService } from '@lapse/platform';
import { AppModule } from './app.module';
import { loadServiceConfig } from './config';

async function main() {
  const config = loadServiceConfig();
  await startService(AppModule.create(config), {
    name: 'grant-worker',
    title: 'Lapse grant worker',
    port: config.PORT,
    openApi: false,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
}

main().catch(exitOnBootFailure('grant-worker'));
