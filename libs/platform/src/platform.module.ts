import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { LapseExceptionFilter } from './exception.filter';
import { HealthController, HealthRegistry } from './health';
import { HttpMetricsInterceptor, MetricsController, initMetrics } from './metrics';

export interface PlatformOptions {
  /** Service name: in every log line and metric. */
  service: string;
  logLevel?: string;
}

/** JSON logs, /health, /metrics and the error format, for every Lapse service. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(opts: PlatformOptions): DynamicModule {
    initMetrics(opts.service);
    return {
      module: PlatformModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: opts.logLevel ?? process.env.LOG_LEVEL ?? 'info',
            base: { service: opts.service },
            messageKey: 'msg',
            formatters: { level: (label: string) => ({ level: label }) },
            timestamp: () => `,"time":"${new Date().toISOString()}"`,
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
            customLogLevel: (_req, res, err) =>
              err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          },
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        HealthRegistry,
        { provide: APP_FILTER, useClass: LapseExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor },
      ],
      exports: [HealthRegistry],
    };
  }
}
