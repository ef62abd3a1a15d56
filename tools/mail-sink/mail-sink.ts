/**
 * A local mail sink for trying Lapse: an SMTP server on loopback that keeps the last messages in
 * memory and shows them on a web page. Not for production.
 *
 *   node -r @swc-node/register tools/mail-sink/mail-sink.ts
 *   LAPSE_MAIL_SMTP_PORT (default 1025), LAPSE_MAIL_UI_PORT (default 8025), LAPSE_MAIL_KEEP (default 500)
 *
 * Pages: GET / (list), GET /messages/:id (one message; HTML body in a sandboxed iframe).
 * JSON: GET /api/messages, GET /api/messages/:id, DELETE /api/messages.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { parseMail, type ParsedMail } from './mime';

export interface StoredMail extends ParsedMail {
  id: string;
  receivedAt: string;
  envelope: { from: string; to: string[] };
  size: number;
}

export interface MailSink {
  smtpPort: number;
  uiPort: number;
  url: string;
  messages: () => StoredMail[];
  close: () => Promise<void>;
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

const page = (
  title: string,
  body: string,
) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#1d2330}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:6px 10px;border-bottom:1px solid #e3e5ea;vertical-align:top}a{color:#2f5bea}
iframe{width:100%;height:520px;border:1px solid #dfe2e8;border-radius:6px}pre{white-space:pre-wrap;background:#f6f7f9;padding:12px;border-radius:6px}
.muted{color:#6b7280}</style></head><body>${body}</body></html>`;

function listPage(messages: StoredMail[]): string {
  const rows = messages
    .map(
      (
        m,
      ) => `<tr><td class="muted">${esc(m.receivedAt)}</td><td>${esc(m.envelope.to.join(', '))}</td>
<td><a href="/messages/${esc(m.id)}">${esc(m.subject || '(no subject)')}</a></td></tr>`,
    )
    .join('\n');
  return page(
    'Lapse mail sink',
    `<h1>Lapse mail sink</h1><p class="muted">${messages.length} message(s), newest first. Nothing here leaves this machine.</p>
<table><tr><th>Received</th><th>To</th><th>Subject</th></tr>${rows || '<tr><td colspan="3" class="muted">No mail yet.</td></tr>'}</table>`,
  );
}

function messagePage(m: StoredMail): string {
  const headers = Object.entries(m.headers)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('');
  // srcdoc is an attribute: escaped; sandbox with no permissions: no scripts, no same-origin access.
  const html = m.html
    ? `<h2>HTML</h2><iframe sandbox="" referrerpolicy="no-referrer" srcdoc="${esc(m.html)}"></iframe>`
    : '';
  const text = m.text ? `<h2>Text</h2><pre>${esc(m.text)}</pre>` : '';
  return page(
    m.subject,
    `<p><a href="/">← all messages</a></p><h1>${esc(m.subject || '(no subject)')}</h1><table>${headers}</table>${html}${text}`,
  );
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'",
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

export async function startMailSink(
  opts: { smtpPort?: number; uiPort?: number; keep?: number; host?: string } = {},
): Promise<MailSink> {
  const host = opts.host ?? '127.0.0.1';
  const keep = opts.keep ?? 500;
  const messages: StoredMail[] = [];

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        messages.unshift({
          id: randomUUID(),
          receivedAt: new Date().toISOString(),
          envelope: {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          },
          size: raw.length,
          ...parseMail(raw),
        });
        messages.splice(keep);
        callback();
      });
    },
  });

  const ui: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sink');
    const one = /^\/(api\/)?messages\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && url.pathname === '/')
      return send(res, 200, 'text/html; charset=utf-8', listPage(messages));
    if (req.method === 'GET' && url.pathname === '/api/messages')
      return send(res, 200, 'application/json', JSON.stringify(messages));
    if (req.method === 'DELETE' && url.pathname === '/api/messages') {
      messages.splice(0);
      return send(res, 204, 'text/plain', '');
    }
    if (req.method === 'GET' && one) {
      const m = messages.find((x) => x.id === one[2]);
      if (!m) return send(res, 404, 'text/plain', 'not found');
      return one[1]
        ? send(res, 200, 'application/json', JSON.stringify(m))
        : send(res, 200, 'text/html; charset=utf-8', messagePage(m));
    }
    send(res, 404, 'text/plain', 'not found');
  });

  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(opts.smtpPort ?? 1025, host, () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    ui.once('error', reject);
    ui.listen(opts.uiPort ?? 8025, host, () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const uiPort = (ui.address() as AddressInfo).port;
  return {
    smtpPort,
    uiPort,
    url: `http://${host}:${uiPort}`,
    messages: () => [...messages],
    close: async () => {
      ui.closeAllConnections();
      await Promise.all([
        new Promise<void>((r) => ui.close(() => r())),
        new Promise<void>((r) => smtp.close(() => r())),
      ]);
    },
  };
}

function log(msg: string, extra: Record<string, unknown> = {}): void {
  process.stdout.write(
    JSON.stringify({
      level: 'info',
      time: new Date().toISOString(),
      service: 'mail-sink',
      msg,
      ...extra,
    }) + '\n',
  );
}

if (require.main === module) {
  const port = (name: string, dflt: number) => {
    const v = Number(process.env[name] ?? dflt);
    if (!Number.isInteger(v) || v < 0 || v > 65535)
      throw new Error(`${name} must be a port number`);
    return v;
  };
  startMailSink({
    smtpPort: port('LAPSE_MAIL_SMTP_PORT', 1025),
    uiPort: port('LAPSE_MAIL_UI_PORT', 8025),
    keep: Number(process.env.LAPSE_MAIL_KEEP ?? 500),
  })
    .then((sink) => {
      log(`mail sink: SMTP on smtp://127.0.0.1:${sink.smtpPort}, messages at ${sink.url}`, {
        smtpPort: sink.smtpPort,
        url: sink.url,
      });
      const stop = (signal: string) => {
        log(`${signal} received: stopping`);
        sink.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    })
    .catch((e: unknown) => {
      process.stderr.write(
        JSON.stringify({ level: 'fatal', service: 'mail-sink', msg: (e as Error).message }) + '\n',
      );
      process.exit(1);
    });
}
