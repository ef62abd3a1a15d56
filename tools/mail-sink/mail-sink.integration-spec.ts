import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { freePort } from '@lapse/testing';
import { startMailSink, type MailSink, type StoredMail } from './mail-sink';

let sink: MailSink;

beforeAll(async () => {
  sink = await startMailSink({ smtpPort: 0, uiPort: 0, keep: 3 });
});
afterAll(() => sink.close());

it('keeps mail sent over SMTP and shows it, escaped, with the HTML in a sandboxed iframe', async () => {
  const transport = createTransport({
    host: '127.0.0.1',
    port: sink.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  await transport.sendMail({
    from: 'Lapse <lapse@lapse.local>',
    to: 'ada@example.com',
    subject: 'Access request: Ada → <Gitlab>',
    text: 'plain body',
    html: '<p>Hello <b>Ada</b></p><script>alert(1)</script>',
  });
  transport.close();
  const list = (await (await fetch(`${sink.url}/api/messages`)).json()) as StoredMail[];
  expect(list).toHaveLength(1);
  expect(list[0]).toMatchObject({
    subject: 'Access request: Ada → <Gitlab>',
    text: 'plain body',
    envelope: { to: ['ada@example.com'] },
  });
  expect(list[0].html).toContain('<b>Ada</b>');

  const index = await (await fetch(`${sink.url}/`)).text();
  expect(index).toContain('Access request: Ada → &lt;Gitlab&gt;');
  const page = await fetch(`${sink.url}/messages/${list[0].id}`);
  expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  const html = await page.text();
  expect(html).toContain('<iframe sandbox=""');
  expect(html).toContain('srcdoc="&lt;p&gt;Hello &lt;b&gt;Ada&lt;/b&gt;&lt;/p&gt;&lt;script&gt;');
  expect(html).not.toContain('<script>');
  expect((await fetch(`${sink.url}/messages/nope`)).status).toBe(404);
});

it('keeps only the newest messages', async () => {
  const transport = createTransport({
    host: '127.0.0.1',
    port: sink.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  for (let i = 0; i < 4; i++)
    await transport.sendMail({ from: 'a@x.test', to: 'b@x.test', subject: `n${i}`, text: 'x' });
  transport.close();
  expect(sink.messages().map((m) => m.subject)).toEqual(['n3', 'n2', 'n1']);
});

it('runs as a script and stops cleanly on SIGTERM', async () => {
  const [smtpPort, uiPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'mail-sink.ts')],
    {
      env: {
        ...process.env,
        LAPSE_MAIL_SMTP_PORT: String(smtpPort),
        LAPSE_MAIL_UI_PORT: String(uiPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => out.includes('mail sink:') && resolve());
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  expect(out).toContain(`messages at http://127.0.0.1:${uiPort}`);
  expect((await fetch(`http://127.0.0.1:${uiPort}/api/messages`)).status).toBe(200);
  const code = await new Promise<number | null>((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
  expect(code).toBe(0);
});
