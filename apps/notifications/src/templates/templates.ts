import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { AccessRequest, RequestType } from '@lapse/contracts';
import { formatDuration } from '@lapse/domain';
import type { EmailTemplate } from '../recipients/recipients';
import type { Links } from './links';

export const EMAIL_TEMPLATES: readonly EmailTemplate[] = [
  'request-created',
  'request-approved',
  'request-denied',
  'request-cancelled',
];

/** Everything a template may show. Strings a user typed (reason, note, names) are escaped in HTML. */
export interface EmailContext {
  tenant: string;
  recipientName: string;
  because: string;
  requester: { name: string; email: string };
  resource: { name: string };
  request: Pick<
    AccessRequest,
    'id' | 'type' | 'reason' | 'approvalMode' | 'durationSeconds' | 'requestedAt' | 'note'
  >;
  reviewerName: string | null;
  links: Links;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

type Compiled = Record<
  EmailTemplate,
  {
    subject: HandlebarsTemplateDelegate;
    html: HandlebarsTemplateDelegate;
    text: HandlebarsTemplateDelegate;
  }
>;

export function requestTypeLabel(type: RequestType): string {
  return type === 'JIT' ? 'Just-in-time access' : 'Unlock after auto-lock';
}

/**
 * The email templates (`*.subject|html|text.hbs` beside this file) compiled once in their own
 * Handlebars instance: HTML escapes every value; text and subject are plain (no HTML to inject into).
 */
export class EmailTemplates {
  private readonly hbs = Handlebars.create();
  private readonly compiled: Compiled;

  constructor(dir: string = __dirname) {
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    this.hbs.registerHelper('duration', (s: unknown) =>
      typeof s === 'number' ? formatDuration(s) : '',
    );
    this.hbs.registerHelper('requestTypeLabel', (t: RequestType) => requestTypeLabel(t));
    this.hbs.registerPartial('layout-html', read('layout.html.hbs'));
    this.hbs.registerPartial('layout-text', read('layout.text.hbs'));
    const plain = { noEscape: true, strict: true };
    this.compiled = Object.fromEntries(
      EMAIL_TEMPLATES.map((t) => [
        t,
        {
          subject: this.hbs.compile(read(`${t}.subject.hbs`), plain),
          html: this.hbs.compile(read(`${t}.html.hbs`), { strict: true }),
          text: this.hbs.compile(read(`${t}.text.hbs`), plain),
        },
      ]),
    ) as Compiled;
  }

  render(template: EmailTemplate, ctx: EmailContext): RenderedEmail {
    const c = this.compiled[template];
    const subject = c.subject(ctx).replace(/\s+/g, ' ').trim();
    return {
      subject,
      html: c.html({ ...ctx, subject }),
      text:
        c
          .text(ctx)
          .replace(/\n{3,}/g, '\n\n')
          .trim() + '\n',
    };
  }
}
