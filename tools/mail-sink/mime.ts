/** Just enough MIME for a development mail sink: headers, multipart, quoted-printable, base64, encoded words. */

export interface ParsedMail {
  headers: Record<string, string>;
  subject: string;
  from: string;
  to: string;
  date: string;
  text: string;
  html: string;
}

function splitHead(raw: string): { head: string; body: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  return m
    ? { head: raw.slice(0, m.index), body: raw.slice(m.index + m[0].length) }
    : { head: raw, body: '' };
}

export function parseHeaders(head: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function charsetOf(contentType: string): BufferEncoding {
  const cs = /charset="?([^";]+)"?/i.exec(contentType)?.[1]?.toLowerCase() ?? 'utf-8';
  return cs === 'iso-8859-1' || cs === 'latin1' || cs === 'us-ascii' ? 'latin1' : 'utf8';
}

function decodeQp(s: string): Buffer {
  return Buffer.from(
    s
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  );
}

function decodeBody(body: string, encoding: string, charset: BufferEncoding): string {
  switch (encoding.toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString(charset);
    case 'quoted-printable':
      return decodeQp(body).toString(charset);
    default:
      return body;
  }
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`) in headers. */
export function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_, cs: string, enc: string, text: string) => {
      const charset = charsetOf(`charset=${cs}`);
      return enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString(charset)
        : decodeQp(text.replace(/_/g, ' ')).toString(charset);
    });
}

function walk(raw: string, out: { text: string; html: string }): void {
  const { head, body } = splitHead(raw);
  const h = parseHeaders(head);
  const type = h['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith('multipart/') && boundary) {
    const parts = body.split(`--${boundary}`).slice(1);
    for (const p of parts) {
      if (p.startsWith('--')) break;
      walk(p.replace(/^\r?\n/, '').replace(/\r?\n$/, ''), out); // the line break before a boundary belongs to it
    }
    return;
  }
  const decoded = decodeBody(body, h['content-transfer-encoding'] ?? '7bit', charsetOf(type));
  if (type.toLowerCase().startsWith('text/html') && !out.html) out.html = decoded;
  else if (type.toLowerCase().startsWith('text/plain') && !out.text) out.text = decoded;
}

export function parseMail(raw: string): ParsedMail {
  const headers = parseHeaders(splitHead(raw).head);
  const parts = { text: '', html: '' };
  walk(raw, parts);
  return {
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, decodeWords(v)])),
    subject: decodeWords(headers['subject'] ?? ''),
    from: decodeWords(headers['from'] ?? ''),
    to: decodeWords(headers['to'] ?? ''),
    date: headers['date'] ?? '',
    ...parts,
  };
}
