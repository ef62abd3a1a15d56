import { exitOnBootFailure, startService } from '@lapse/platform';
import { createAppModule } from './app.module';
import { loadServiceConfig } from './config';

async function main() {
  const config = loadServiceConfig();
  await startService(createAppModule(config), {
    name: 'notifications',
    title: 'Lapse notifications',
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
}

main().catch(exitOnBootFailure('notifications'));
