/**
 * The one place Lapse connects to Temporal, for clients (`Connection`) and workers
 * (`NativeConnection`) alike: the address plus TLS (the server's CA, a client certificate for
 * mTLS, a server name) and an API key, from the service's configuration (rule 16).
 */
import { readFileSync } from 'node:fs';
import { Connection, type TLSConfig } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';

/** The Temporal settings of every service's config (libs/config common env). */
export interface TemporalConfig {
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  TEMPORAL_TLS?: boolean;
  TEMPORAL_TLS_SERVER_CA_CERT_PATH?: string;
  TEMPORAL_TLS_CLIENT_CERT_PATH?: string;
  TEMPORAL_TLS_CLIENT_KEY_PATH?: string;
  TEMPORAL_TLS_SERVER_NAME?: string;
  TEMPORAL_API_KEY?: string;
}

/** Where and how to connect: what both connection kinds take. */
export interface TemporalSettings {
  address: string;
  namespace: string;
  /** Absent: plaintext. */
  tls?: TLSConfig;
  apiKey?: string;
}

/**
 * Settings from the configuration, reading the PEM files it names. TLS is on when TEMPORAL_TLS
 * is true, or when any TLS file, the server name or an API key is set (unless TEMPORAL_TLS is
 * false, which loadConfig refuses together with them). A file that cannot be read is an error
 * naming its variable; so is half an mTLS pair.
 */
export function temporalSettingsOf(
  c: TemporalConfig,
  readFile: (path: string) => Buffer = readFileSync,
): TemporalSettings {
  const settings: TemporalSettings = {
    address: c.TEMPORAL_ADDRESS,
    namespace: c.TEMPORAL_NAMESPACE,
  };
  const cert = c.TEMPORAL_TLS_CLIENT_CERT_PATH;
  const key = c.TEMPORAL_TLS_CLIENT_KEY_PATH;
  if (!!cert !== !!key) {
    const missing = cert ? 'TEMPORAL_TLS_CLIENT_KEY_PATH' : 'TEMPORAL_TLS_CLIENT_CERT_PATH';
    const other = cert ? 'TEMPORAL_TLS_CLIENT_CERT_PATH' : 'TEMPORAL_TLS_CLIENT_KEY_PATH';
    throw new Error(
      `${missing}: required with ${other} (mTLS needs the client certificate and its key)`,
    );
  }
  const wantsTls =
    c.TEMPORAL_TLS ??
    Boolean(
      c.TEMPORAL_TLS_SERVER_CA_CERT_PATH ||
        cert ||
        c.TEMPORAL_TLS_SERVER_NAME ||
        c.TEMPORAL_API_KEY,
    );
  if (c.TEMPORAL_API_KEY) settings.apiKey = c.TEMPORAL_API_KEY;
  if (!wantsTls) return settings;
  const read = (name: keyof TemporalConfig, path: string) => {
    try {
      return readFile(path);
    } catch (e) {
      throw new Error(`${name}: cannot read ${path} (${(e as Error).message})`);
    }
  };
  const tls: TLSConfig = {};
  if (c.TEMPORAL_TLS_SERVER_CA_CERT_PATH)
    tls.serverRootCACertificate = read(
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
      c.TEMPORAL_TLS_SERVER_CA_CERT_PATH,
    );
  if (cert && key)
    tls.clientCertPair = {
      crt: read('TEMPORAL_TLS_CLIENT_CERT_PATH', cert),
      key: read('TEMPORAL_TLS_CLIENT_KEY_PATH', key),
    };
  if (c.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = c.TEMPORAL_TLS_SERVER_NAME;
  settings.tls = tls;
  return settings;
}

/** What Connection / NativeConnection options take from the settings. */
function connectionOptions(s: TemporalSettings) {
  return {
    address: s.address,
    ...(s.tls ? { tls: s.tls } : {}),
    ...(s.apiKey ? { apiKey: s.apiKey } : {}),
  };
}

/** A client connection (retrying while the server starts). */
export async function connectTemporal(s: TemporalSettings, attempts = 30): Promise<Connection> {
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await Connection.connect({ ...connectionOptions(s), connectTimeout: '5s' });
    } catch (e) {
      lastError = e;
      if (i < attempts - 1) await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** i, 2000)));
    }
  }
  throw new Error(`cannot reach Temporal at ${s.address}: ${(lastError as Error)?.message}`);
}

/** A client connection that connects (and reconnects) on first use. */
export function lazyTemporalConnection(s: TemporalSettings): Connection {
  return Connection.lazy({ ...connectionOptions(s), connectTimeout: '5s' });
}

/** A worker connection (one attempt; callers that wait for Temporal retry). */
export function connectTemporalWorker(s: TemporalSettings): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(s));
}
