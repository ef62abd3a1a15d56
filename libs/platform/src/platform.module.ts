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
  /**
   * Path prefixes whose successful requests are not logged one by one (hot read paths such as
   * decisions: metrics count them). Server errors on them are still logged by the error filter.
   */
  quietPaths?: string[];
}

/** JSON logs, /health, /metrics and the error format, for every Lapse service. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(opts: PlatformOptions): DynamicModule {
    initMetrics(opts.service);
    const quiet = ['/health', '/metrics', ...(opts.quietPaths ?? [])];
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
            autoLogging: { ignore: (req) => isQuiet(req.url ?? '', quiet) },
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

/** Whether a request URL falls under one of the quiet path prefixes. */
export function isQuiet(url: string, prefixes: readonly string[]): boolean {
  const path = url.split('?', 1)[0];
  return prefixes.some((p) => path === p || path.startsWith(`${p}/`));
}
