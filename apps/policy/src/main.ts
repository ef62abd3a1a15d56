import { exitOnBootFailure, startService } from '@lapse/platform';
import { rootModule } from './app.module';
import { loadServiceConfig } from './config';

async function main() {
  const config = loadServiceConfig();
  await startService(rootModule(config), {
    name: 'policy',
    title: 'Lapse policy API',
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
}

main().catch(exitOnBootFailure('policy'));
