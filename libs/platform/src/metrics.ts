import {
  CallHandler,
  Controller,
  ExecutionContext,
  Get,
  Injectable,
  NestInterceptor,
  Res,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from './public';
import type { Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Observable, tap } from 'rxjs';

/** One Prometheus registry per process; services add their own metrics to it. */
export const metricsRegistry = new Registry();
let defaultsCollected = false;

export function initMetrics(service: string): Registry {
  if (!defaultsCollected) {
    metricsRegistry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: metricsRegistry, prefix: 'lapse_' });
    defaultsCollected = true;
  }
  return metricsRegistry;
}

/** Gets or creates a metric on the shared registry (safe to call from several modules). */
export function counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
  const existing = metricsRegistry.getSingleMetric(name);
  if (existing) return existing as Counter<string>;
  return new Counter({ name, help, labelNames, registers: [metricsRegistry] });
}

/** Gets or creates a gauge on the shared registry. */
export function gauge(name: string, help: string, labelNames: string[] = []): Gauge<string> {
  const existing = metricsRegistry.getSingleMetric(name);
  if (existing) return existing as Gauge<string>;
  return new Gauge({ name, help, labelNames, registers: [metricsRegistry] });
}

export function histogram(
  name: string,
  help: string,
  labelNames: string[] = [],
  buckets?: number[],
): Histogram<string> {
  const existing = metricsRegistry.getSingleMetric(name);
  if (existing) return existing as Histogram<string>;
  return new Histogram({ name, help, labelNames, buckets, registers: [metricsRegistry] });
}

/** Prometheus text pages served by another part of the process, appended to /metrics. */
const metricsSources = new Map<string, () => Promise<string>>();

/**
 * Appends the page `read` returns (Prometheus text, metric names distinct from this registry's)
 * to every /metrics answer, e.g. the Temporal SDK's own metrics. A source that fails is left out
 * of that answer with a comment naming it; the rest is still served.
 */
export function addMetricsSource(name: string, read: () => Promise<string>): void {
  metricsSources.set(name, read);
}

@Public()
@ApiExcludeController()
@Controller()
export class MetricsController {
  @Get('metrics')
  async metrics(@Res() res: Response): Promise<void> {
    const pages = await Promise.all([
      metricsRegistry.metrics(),
      ...[...metricsSources].map(([name, read]) =>
        read().then(
          (page) => page,
          (err: unknown) => `# ${name} metrics unavailable: ${String(err).replace(/\n/g, ' ')}\n`,
        ),
      ),
    ]);
    res.setHeader('Content-Type', metricsRegistry.contentType);
    res.send(pages.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join(''));
  }
}

/** HTTP request durations by method, route template and status (one histogram per process). */
export function httpRequestDuration(): Histogram<string> {
  return histogram(
    'lapse_http_request_duration_seconds',
    'HTTP request duration by route and status',
    ['method', 'route', 'status'],
    [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );
}

/** Counts and times every HTTP request by route template (not raw path: bounded cardinality). */
@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  private readonly duration = httpRequestDuration();

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const end = this.duration.startTimer();
    const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
    const done = () => end({ method: req.method, route, status: String(res.statusCode) });
    return next.handle().pipe(tap({ next: done, error: done }));
  }
}
