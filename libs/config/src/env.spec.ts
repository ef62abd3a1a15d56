import { z } from 'zod';
import { ConfigError, commonEnvSchema, envBoolean, loadConfig } from './env';

describe('loadConfig', () => {
  it('applies defaults and splits brokers', () => {
    const cfg = loadConfig(commonEnvSchema, { KAFKA_BROKERS: 'a:1, b:2' });
    expect(cfg.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(cfg.LAPSE_REQUEST_TTL).toBe(604800);
  });

  it('names every bad variable', () => {
    expect(() =>
      loadConfig(commonEnvSchema, { DATABASE_URL: 'nope', LAPSE_REQUEST_TTL: '-1' }),
    ).toThrow(ConfigError);
    try {
      loadConfig(commonEnvSchema, { DATABASE_URL: 'nope', LAPSE_REQUEST_TTL: '-1' });
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toContain('DATABASE_URL');
      expect(msg).toContain('LAPSE_REQUEST_TTL');
    }
  });

  it('parses booleans strictly', () => {
    const schema = z.object({ FLAG: envBoolean.default(false) });
    expect(loadConfig(schema, { FLAG: 'false' }).FLAG).toBe(false);
    expect(loadConfig(schema, { FLAG: 'TRUE' }).FLAG).toBe(true);
    expect(loadConfig(schema, {}).FLAG).toBe(false);
    expect(() => loadConfig(schema, { FLAG: 'maybe' })).toThrow(/FLAG/);
  });
});
