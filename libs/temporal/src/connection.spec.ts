import { temporalSettingsOf, type TemporalConfig } from './connection';

const base: TemporalConfig = { TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'lapse' };
const files: Record<string, string> = {
  '/tls/ca.crt': 'CA PEM',
  '/tls/worker.crt': 'CERT PEM',
  '/tls/worker.key': 'KEY PEM',
};
const readFile = (path: string) => {
  if (!(path in files)) throw new Error(`ENOENT: no such file, open '${path}'`);
  return Buffer.from(files[path]);
};

describe('temporalSettingsOf', () => {
  it('is plaintext with nothing set', () => {
    expect(temporalSettingsOf(base, readFile)).toEqual({
      address: 'temporal:7233',
      namespace: 'lapse',
    });
  });

  it('mTLS: the server CA, the client certificate and key, the server name', () => {
    const s = temporalSettingsOf(
      {
        ...base,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/tls/ca.crt',
        TEMPORAL_TLS_CLIENT_CERT_PATH: '/tls/worker.crt',
        TEMPORAL_TLS_CLIENT_KEY_PATH: '/tls/worker.key',
        TEMPORAL_TLS_SERVER_NAME: 'frontend.lapse.internal',
      },
      readFile,
    );
    expect(s.tls?.serverRootCACertificate?.toString()).toBe('CA PEM');
    expect(s.tls?.clientCertPair?.crt.toString()).toBe('CERT PEM');
    expect(s.tls?.clientCertPair?.key.toString()).toBe('KEY PEM');
    expect(s.tls?.serverNameOverride).toBe('frontend.lapse.internal');
    expect(s.apiKey).toBeUndefined();
  });

  it('an API key turns TLS on (system CAs), as Temporal Cloud needs', () => {
    const s = temporalSettingsOf({ ...base, TEMPORAL_API_KEY: 'key-1' }, readFile);
    expect(s).toEqual({ address: 'temporal:7233', namespace: 'lapse', tls: {}, apiKey: 'key-1' });
  });

  it('TEMPORAL_TLS alone: TLS with the system CAs; TEMPORAL_TLS=false: plaintext', () => {
    expect(temporalSettingsOf({ ...base, TEMPORAL_TLS: true }, readFile).tls).toEqual({});
    expect(temporalSettingsOf({ ...base, TEMPORAL_TLS: false }, readFile).tls).toBeUndefined();
  });

  it('refuses half an mTLS pair, naming the missing variable', () => {
    expect(() =>
      temporalSettingsOf({ ...base, TEMPORAL_TLS_CLIENT_CERT_PATH: '/tls/worker.crt' }, readFile),
    ).toThrow(/^TEMPORAL_TLS_CLIENT_KEY_PATH: required with TEMPORAL_TLS_CLIENT_CERT_PATH/);
    expect(() =>
      temporalSettingsOf({ ...base, TEMPORAL_TLS_CLIENT_KEY_PATH: '/tls/worker.key' }, readFile),
    ).toThrow(/^TEMPORAL_TLS_CLIENT_CERT_PATH: required with TEMPORAL_TLS_CLIENT_KEY_PATH/);
  });

  it('names the variable whose file cannot be read', () => {
    expect(() =>
      temporalSettingsOf(
        { ...base, TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/tls/missing.crt' },
        readFile,
      ),
    ).toThrow(/^TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read \/tls\/missing\.crt \(ENOENT/);
  });
});
