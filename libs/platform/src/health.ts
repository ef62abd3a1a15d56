import { Controller, Get, Injectable, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from './public';
import type { Response } from 'express';

export type HealthCheckFn = () => Promise<void>;

/**
 * Dependencies (Postgres, Kafka, Temporal, consumers, …) register a check here. `/health` and
 * `/health/ready` run them; `/health/live` runs none (the process answers: it is alive).
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheckFn>();
  private readonly notForReadiness = new Set<string>();
  private shuttingDown = false;

  register(name: string, check: HealthCheckFn): void {
    this.checks.set(name, check);
  }

  /**
   * Checks that are reported by `/health/ready` but do not make the service unready: it can do
   * its job without them (decisions answer from the projection with Temporal or Kafka down).
   */
  notRequiredForReadiness(...names: string[]): void {
    for (const n of names) this.notForReadiness.add(n);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  /** Runs every check; `readiness` judges only the checks readiness requires. */
  async run(timeoutMs = 2000, { readiness = false } = {}): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const started = Date.now();
        try {
          await withTimeout(check(), timeoutMs, name);
          return [name, { status: 'up', latencyMs: Date.now() - started }] as const;
        } catch (e) {
          return [name, { status: 'down', error: (e as Error).message }] as const;
        }
      }),
    );
    const dependencies = Object.fromEntries(entries) as HealthReport['dependencies'];
    const up =
      !this.shuttingDown &&
      entries.every(
        ([name, r]) => r.status === 'up' || (readiness && this.notForReadiness.has(name)),
      );
    return { status: up ? 'ok' : this.shuttingDown ? 'shutting-down' : 'degraded', dependencies };
  }
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'shutting-down';
  dependencies: Record<string, { status: 'up' | 'down'; latencyMs?: number; error?: string }>;
}

function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

@Public()
@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  /** 200 when every dependency answers, 503 otherwise (each dependency's status in the body). */
  @Get('health')
  async health(@Res() res: Response): Promise<void> {
    const report = await this.registry.run();
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  }

  /**
   * Liveness: the process runs and answers. No dependency is checked, so an outage of Kafka,
   * Postgres or Temporal never gets a replica restarted (it recovers by itself).
   */
  @Get('health/live')
  live(@Res() res: Response): void {
    const down = this.registry.isShuttingDown;
    res.status(down ? 503 : 200).json({ status: down ? 'shutting-down' : 'ok' });
  }

  /**
   * Readiness: can this replica do its job now (send it traffic)? 503 while a dependency it needs
   * is down or while it stops; every check is reported.
   */
  @Get('health/ready')
  async ready(@Res() res: Response): Promise<void> {
    const report = await this.registry.run(2000, { readiness: true });
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  }
}
