import { exitOnBootFailure, startService } from '@lapse/platform';
import { AppModule } from './app.module';
import { loadServiceConfig } from './config';

async function main() {
  const config = loadServiceConfig();
  await startService(AppModule, {
    name: 'grant-worker',
    title: 'Lapse grant worker',
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
}

main().catch(exitOnBootFailure('grant-worker'));
