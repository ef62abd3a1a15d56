import { z } from 'zod';
import {
  ConfigError,
  DEPRECATED_ENV_NAMES,
  activityHostEnv,
  commonEnvSchema,
  envBoolean,
  loadConfig,
} from './env';

/** Every service needs a database; the tests below are about other variables. */
const db = { DATABASE_URL: 'postgres://u:p@db:5432/lapse' };

describe('loadConfig', () => {
  it('applies defaults and splits brokers', () => {
    const cfg = loadConfig(commonEnvSchema, { ...db, KAFKA_BROKERS: 'a:1, b:2' });
    expect(cfg.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(cfg.LAPSE_REQUEST_TTL).toBe(604800);
  });

  it('has no database URL of its own: a missing DATABASE_URL is named', () => {
    expect(() => loadConfig(commonEnvSchema, {})).toThrow(/DATABASE_URL: required/);
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

  it('refuses secrets under 32 bytes and the same secret for two kinds of token', () => {
    const long = 'x'.repeat(32);
    expect(() => loadConfig(commonEnvSchema, { ...db, LAPSE_JWT_SECRET: 'x'.repeat(31) })).toThrow(
      /LAPSE_JWT_SECRET: must be at least 32 bytes/,
    );
    expect(() =>
      loadConfig(commonEnvSchema, { ...db, LAPSE_JWT_SECRET: long, LAPSE_SERVICE_SECRET: long }),
    ).toThrow(/LAPSE_SERVICE_SECRET: must differ from LAPSE_JWT_SECRET/);
    expect(
      loadConfig(commonEnvSchema, {
        ...db,
        LAPSE_JWT_SECRET: long,
        LAPSE_SERVICE_SECRET: `${long}y`,
      }).LAPSE_SERVICE_SECRET,
    ).toBe(`${long}y`);
  });

  it('takes a JWKS over https only', () => {
    expect(() => loadConfig(commonEnvSchema, { ...db, LAPSE_JWKS_URL: 'http://idp/jwks' })).toThrow(
      /LAPSE_JWKS_URL: must be an https/,
    );
  });

  it('parses the Temporal TLS settings and refuses half-configured mTLS, naming the variable', () => {
    const cfg = loadConfig(commonEnvSchema, {
      ...db,
      TEMPORAL_TLS: 'true',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/tls/ca.crt',
      TEMPORAL_TLS_CLIENT_CERT_PATH: '/tls/c.crt',
      TEMPORAL_TLS_CLIENT_KEY_PATH: '/tls/c.key',
      TEMPORAL_TLS_SERVER_NAME: 'temporal',
      TEMPORAL_API_KEY: 'k',
    });
    expect(cfg.TEMPORAL_TLS).toBe(true);
    expect(cfg.TEMPORAL_TLS_CLIENT_KEY_PATH).toBe('/tls/c.key');
    expect(loadConfig(commonEnvSchema, db).TEMPORAL_TLS).toBeUndefined();
    expect(() =>
      loadConfig(commonEnvSchema, { ...db, TEMPORAL_TLS_CLIENT_CERT_PATH: '/tls/c.crt' }),
    ).toThrow(/TEMPORAL_TLS_CLIENT_KEY_PATH: required with TEMPORAL_TLS_CLIENT_CERT_PATH/);
    expect(() =>
      loadConfig(commonEnvSchema, { ...db, TEMPORAL_TLS_CLIENT_KEY_PATH: '/tls/c.key' }),
    ).toThrow(/TEMPORAL_TLS_CLIENT_CERT_PATH: required with TEMPORAL_TLS_CLIENT_KEY_PATH/);
    expect(() =>
      loadConfig(commonEnvSchema, { ...db, TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' }),
    ).toThrow(/TEMPORAL_TLS: is false, but TEMPORAL_API_KEY need TLS/);
    expect(() => loadConfig(commonEnvSchema, { ...db, TEMPORAL_TLS: 'sometimes' })).toThrow(
      /TEMPORAL_TLS/,
    );
  });
});

describe('renamed settings', () => {
  const schema = commonEnvSchema.extend(activityHostEnv);

  it('reads a deprecated name while the new one is unset', () => {
    expect(
      loadConfig(schema, { ...db, LAPSE_REQUESTS_WORKER_ENABLED: 'false' })
        .LAPSE_ACTIVITY_HOST_ENABLED,
    ).toBe(false);
  });

  it('the new name wins over a deprecated one', () => {
    expect(
      loadConfig(schema, {
        ...db,
        LAPSE_ACTIVITY_HOST_ENABLED: 'true',
        LAPSE_POLICY_WORKER_ENABLED: 'false',
      }).LAPSE_ACTIVITY_HOST_ENABLED,
    ).toBe(true);
  });

  it('maps every deprecated name to a setting the schema knows', () => {
    for (const current of Object.values(DEPRECATED_ENV_NAMES)) {
      expect(Object.keys(schema.shape)).toContain(current);
    }
  });
});
