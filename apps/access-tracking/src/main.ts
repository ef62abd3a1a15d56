import { exitOnBootFailure, startService } from '@lapse/platform';
import { AppModule } from './app.module';
import { loadServiceConfig } from './config';

async function main() {
  const config = loadServiceConfig();
  await startService(AppModule, {
    name: 'access-tracking',
    title: 'Lapse access-tracking API',
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
}

main().catch(exitOnBootFailure('access-tracking'));
