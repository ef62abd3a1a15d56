import { HealthRegistry } from './health';

describe('HealthRegistry', () => {
  const registry = () => {
    const r = new HealthRegistry();
    r.register('projection', async () => undefined);
    r.register('temporal', async () => {
      throw new Error('unreachable');
    });
    return r;
  };

  it('/health: degraded when any dependency is down, each one reported', async () => {
    const report = await registry().run();
    expect(report.status).toBe('degraded');
    expect(report.dependencies.temporal).toEqual({ status: 'down', error: 'unreachable' });
  });

  it('readiness ignores what the service can work without, but still reports it', async () => {
    const r = registry();
    r.notRequiredForReadiness('temporal');
    const ready = await r.run(2000, { readiness: true });
    expect(ready.status).toBe('ok');
    expect(ready.dependencies.temporal.status).toBe('down');
    expect((await r.run()).status).toBe('degraded');
  });

  it('a check that hangs is down after the timeout; shutting down is never ready', async () => {
    const r = new HealthRegistry();
    r.register('kafka', () => new Promise(() => undefined));
    expect((await r.run(20)).dependencies.kafka.error).toBe('kafka did not answer within 20 ms');
    const s = new HealthRegistry();
    s.markShuttingDown();
    expect((await s.run(20, { readiness: true })).status).toBe('shutting-down');
  });
});
