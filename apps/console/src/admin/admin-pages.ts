import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { LapseError } from '@lapse/platform';
import { sendPage } from '../pages/home.controller';
import { PageRenderer } from '../pages/page-renderer';
import { PageShell } from '../pages/page-shell';
import type { SignedIn } from '../sessions/sessions.service';
import { canEdit, canReadConsole, canReview } from './console-access';

export type FormBody = Record<string, unknown>;

/** A problem to show on a page that a form was posted from: the field it is about, if any. */
export interface Problem {
  field?: string;
  message: string;
}

/** One line of feedback after a form: what happened, in the domain's words. */
export interface Notice {
  kind: 'approved' | 'error';
  message: string;
}

/**
 * What a page shows about the last form or redirect: a notice, or a problem (and the field it is
 * about). A page that shows a problem answers 400, unless `status` says otherwise.
 */
export interface Feedback {
  notice?: Notice | null;
  problem?: Problem | null;
  status?: number;
}

/**
 * What every admin console page shares: the role gates (read for every console role, write for
 * ADMIN and DEVOPS; a resource approver with no console role is sent to Access Requests), the CSRF
 * check of each form, and rendering inside the layout with the user's navigation and the bell.
 */
@Injectable()
export class AdminPages {
  constructor(
    private readonly renderer: PageRenderer,
    private readonly shell: PageShell,
  ) {}

  /** Refuses a user with no console role (403 page pointing at Access Requests). */
  read(signedIn: SignedIn): void {
    if (!canReadConsole(signedIn.user.roles))
      throw LapseError.forbidden(
        'The admin console is for Lapse administrators. You can review the requests you approve under Access Requests.',
      );
  }

  /** A form that changes something: this session's CSRF token, and ADMIN or DEVOPS. */
  edit(signedIn: SignedIn, body: FormBody | undefined): void {
    this.shell.checkCsrf(signedIn, body);
    this.read(signedIn);
    if (!canEdit(signedIn.user.roles))
      throw LapseError.forbidden('Your role can read the console but not change it.');
  }

  /** A review decision from a console page: this session's CSRF token; the service judges rule 6. */
  review(signedIn: SignedIn, body: FormBody | undefined): void {
    this.shell.checkCsrf(signedIn, body);
    this.read(signedIn);
  }

  /**
   * A form's change: `change` makes it and names the page to go to (303, so a reload does not post
   * again); a problem the user can fix (400, 409, 403: `problemOf`) is shown by `reshow` on the
   * form's page instead. Anything else fails the page.
   */
  async submit(
    res: Response,
    change: () => Promise<string>,
    reshow: (problem: Problem) => Promise<void>,
  ): Promise<void> {
    let to: string;
    try {
      to = await change();
    } catch (e) {
      return reshow(problemOf(e));
    }
    res.redirect(303, to);
  }

  /**
   * Renders an admin page (`model`, loaded by the controller) with `feedback`: the notice, the
   * problem and, for the form, the message per field (`errors`).
   */
  async show(
    res: Response,
    signedIn: SignedIn,
    page: string,
    current: string,
    model: { title: string } & Record<string, unknown>,
    feedback: Feedback = {},
  ): Promise<void> {
    const problem = feedback.problem ?? null;
    await this.send(
      res,
      signedIn,
      page,
      current,
      {
        notice: feedback.notice ?? null,
        problem,
        errors: problem?.field ? { [problem.field]: problem.message } : {},
        ...model,
      },
      feedback.status ?? (problem ? 400 : 200),
    );
  }

  async send(
    res: Response,
    signedIn: SignedIn,
    page: string,
    current: string,
    model: { title: string } & Record<string, unknown>,
    status = 200,
  ): Promise<void> {
    const roles = signedIn.user.roles;
    sendPage(
      res,
      status,
      this.renderer.render(page, {
        ...(await this.shell.of(signedIn, current)),
        canEdit: canEdit(roles),
        canReview: canReview(roles),
        readOnlyNote: canEdit(roles)
          ? null
          : 'You can read this page; changes are made by Admin and DevOps users.',
        ...model,
      }),
    );
  }
}

/** A 400 (the service named the field) or 409 as a problem to show on the form's page; others rethrow. */
export function problemOf(e: unknown): Problem {
  if (e instanceof LapseError && (e.kind === 'VALIDATION' || e.kind === 'CONFLICT'))
    return { field: e.field, message: e.message };
  if (e instanceof LapseError && e.kind === 'FORBIDDEN') return { message: e.message };
  throw e;
}

export const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** Checkbox or multi-select values as a list. */
export const list = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string')
    : typeof v === 'string'
      ? [v]
      : [];

/** A notice from `?notice=` (only known keys: no text from the URL is shown). */
export function noticeOf(key: unknown, known: Record<string, string>): Notice | null {
  return typeof key === 'string' && key in known ? { kind: 'approved', message: known[key] } : null;
}

/**
 * The links of a paged list at `path`: the next page (from the service's cursor) and back to the
 * first (on any later page), keeping the search.
 */
export function pageLinks(
  path: string,
  {
    search = '',
    cursor,
    nextCursor,
  }: { search?: string; cursor?: string; nextCursor: string | null },
): { next: string | null; first: string | null } {
  const searched: Record<string, string> = search ? { q: search } : {};
  const query = (params: Record<string, string>) => {
    const text = new URLSearchParams(params).toString();
    return text ? `${path}?${text}` : path;
  };
  return {
    next: nextCursor ? query({ ...searched, cursor: nextCursor }) : null,
    first: cursor ? query(searched) : null,
  };
}

/** Sends a CSV report as a download named after what it is about. */
export function sendReport(
  res: Response,
  file: { body: Buffer; contentType: string },
  name: string,
): void {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'report';
  res
    .status(200)
    .type(file.contentType || 'text/csv')
    .setHeader('Content-Disposition', `attachment; filename="${safe}.csv"`)
    .setHeader('Cache-Control', 'no-store')
    .send(file.body);
}
