/**
 * Test helpers for the notifications integration tests (not used by the service): a real SMTP
 * server and a real HTTP receiver on loopback, a real policy service as a child process.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import {
  TOPICS,
  grantKey,
  type AccessRequest,
  type AccessRequestEvent,
  type Role,
} from '@lapse/contracts';
import { JsonProducer } from '@lapse/kafka';
import {
  bootstrapAdmin,
  freePort,
  kafkaAs,
  startServiceProcess,
  type PolicyAdmin,
  type RunningService,
} from '@lapse/testing';

export const JWT_SECRET = 'notifications-test-jwt-secret-0123456789';
export const SERVICE_SECRET = 'notifications-test-service-secret-0123456';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  headers: Record<string, string>;
  /** The decoded text/plain and text/html parts. */
  text: string;
  html: string;
}

/** The text and HTML parts of a multipart/alternative message as nodemailer writes it (quoted-printable or base64). */
export function decodeParts(raw: string): { text: string; html: string } {
  const out = { text: '', html: '' };
  for (const part of raw.split(/\r?\n--[^\r\n]+/)) {
    const [head, ...rest] = part.split(/\r?\n\r?\n/);
    const h = parseHeaders(head.trim());
    const body = rest.join('\n\n');
    const type = h['content-type'] ?? '';
    const kind = type.startsWith('text/html')
      ? 'html'
      : type.startsWith('text/plain')
        ? 'text'
        : null;
    if (!kind) continue;
    const enc = (h['content-transfer-encoding'] ?? '').toLowerCase();
    out[kind] =
      enc === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
        : enc === 'quoted-printable'
          ? Buffer.from(
              body
                .replace(/=\r?\n/g, '')
                .replace(/=([0-9A-F]{2})/gi, (_, hex: string) =>
                  String.fromCharCode(parseInt(hex, 16)),
                ),
              'latin1',
            ).toString('utf8')
          : body;
  }
  return out;
}

/** A real SMTP server keeping every message; `close()` and `listen()` again on the same port simulate an outage. */
export class SmtpCapture {
  readonly messages: ReceivedMail[] = [];
  private server?: SMTPServer;

  constructor(public port = 0) {}

  async listen(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          this.messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            headers: parseHeaders(raw),
            ...decodeParts(raw),
          });
          callback();
        });
      },
    });
    const srv = this.server;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (srv.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const srv = this.server;
    this.server = undefined;
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
  }

  byKey(key: string): ReceivedMail[] {
    return this.messages.filter((m) => m.headers['idempotency-key'] === key);
  }
}

/** Unfolded top-level headers, names lower-cased. */
export function parseHeaders(raw: string): Record<string, string> {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const out: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/** A real HTTP receiver whose answer the test chooses; it can be stopped and restarted on its port. */
export class WebhookReceiver {
  readonly received: ReceivedHook[] = [];
  status = 200;
  private server?: Server;

  constructor(public port = 0) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/lapse`;
  }

  async listen(): Promise<void> {
    const srv = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = this.status;
        this.received.push({
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          status,
        });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
      });
    });
    this.server = srv;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (srv.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const srv = this.server;
    this.server = undefined;
    if (srv) {
      srv.closeAllConnections();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  }

  /** The successful (2xx) receipts per Idempotency-Key. */
  deliveredByKey(): Map<string, number> {
    const m = new Map<string, number>();
    for (const r of this.received) {
      if (r.status >= 200 && r.status < 300) {
        const k = String(r.headers['idempotency-key']);
        m.set(k, (m.get(k) ?? 0) + 1);
      }
    }
    return m;
  }
}

/** A real policy service on its own database, and its bootstrap admin to set it up. */
export class PolicyFixture {
  private constructor(
    readonly service: RunningService,
    readonly admin: PolicyAdmin,
  ) {}

  static async start(databaseUrl: string, prefix: string): Promise<PolicyFixture> {
    const email = `admin-${prefix}@example.com`;
    const service = await startServiceProcess('policy', {
      DATABASE_URL: databaseUrl,
      LAPSE_JWT_SECRET: JWT_SECRET,
      LAPSE_SERVICE_SECRET: SERVICE_SECRET,
      LAPSE_TASK_QUEUE_PREFIX: prefix,
      LAPSE_BOOTSTRAP_ADMIN_EMAIL: email,
      LAPSE_GRANT_SYNC_ENABLED: 'false',
      LAPSE_POLICY_CONSUMERS_ENABLED: 'false',
      LAPSE_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      PORT: String(await freePort()),
    });
    try {
      const admin = await bootstrapAdmin(service.url, {
        email,
        jwtSecret: JWT_SECRET,
        serviceSecret: SERVICE_SECRET,
      });
      return new PolicyFixture(service, admin);
    } catch (e) {
      await service.stop();
      throw e;
    }
  }

  get url(): string {
    return this.service.url;
  }

  get adminId(): string {
    return this.admin.id;
  }

  get adminToken(): string {
    return this.admin.token;
  }

  call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.admin.call<T>(method, path, body);
  }

  createUser(
    email: string,
    name: string,
    roles: Role[] = [],
  ): Promise<{ id: string; email: string; name: string }> {
    return this.admin.user(name, email, roles);
  }

  stop(): Promise<number | null> {
    return this.service.stop();
  }
}

let producer: JsonProducer | undefined;

/** Publishes a request event as the requests service does (key = grant key). */
export async function publishRequestEvent(e: AccessRequestEvent, brokers: string[]): Promise<void> {
  void brokers; // the stack's brokers, as the requests service (the topic's owner)
  producer ??= new JsonProducer(kafkaAs('requests', 'notifications-test'));
  await producer.send(TOPICS.accessRequests, [{ key: grantKey(e.request), value: e }]);
}

export async function closeProducer(): Promise<void> {
  await producer?.disconnect();
  producer = undefined;
}

export function accessRequest(
  over: Partial<AccessRequest> & Pick<AccessRequest, 'id' | 'userId' | 'resourceId'>,
): AccessRequest {
  const now = new Date();
  return {
    type: 'AutoLock',
    reason: 'I need access after a long period of no usage.',
    durationSeconds: null,
    approvalMode: 'MANUAL',
    status: 'PENDING',
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 7 * 86_400_000).toISOString(),
    reviewerId: null,
    reviewedAt: null,
    note: null,
    ...over,
  };
}
