import { Module } from '@nestjs/common';
import { DbModule } from '@lapse/db';
import { KafkaModule } from '@lapse/kafka';
import { PlatformModule } from '@lapse/platform';
import { TemporalModule } from '@lapse/temporal';
import { loadServiceConfig } from './config';
import { dataSourceOptions } from './db/data-source';

const config = loadServiceConfig();

@Module({
  imports: [
    PlatformModule.forRoot({ service: 'requests', logLevel: config.LOG_LEVEL }),
    DbModule.forRoot(dataSourceOptions(config.DATABASE_URL)),
    KafkaModule.forRoot({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? 'lapse-requests' }),
    TemporalModule.forRoot({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE }),
  ],
})
export class AppModule {}
