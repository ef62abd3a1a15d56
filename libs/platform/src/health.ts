import { Controller, Get, Injectable, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from './public';
import type { Response } from 'express';

export type HealthCheckFn = () => Promise<void>;

/** Dependencies (Postgres, Kafka, Temporal, …) register a check here; /health runs them all. */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheckFn>();
  private shuttingDown = false;

  register(name: string, check: HealthCheckFn): void {
    this.checks.set(name, check);
  }

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async run(timeoutMs = 2000): Promise<HealthReport> {
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
    const up = !this.shuttingDown && entries.every(([, r]) => r.status === 'up');
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

  /** 200 when every dependency answers, 503 otherwise (load balancers take the status). */
  @Get('health')
  async health(@Res() res: Response): Promise<void> {
    const report = await this.registry.run();
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  }
}
