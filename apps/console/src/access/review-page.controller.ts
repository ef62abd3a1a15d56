import { Body, Controller, Get, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { ReviewQueueView, ReviewRefusal } from '@lapse/contracts';
import { validateNote } from '@lapse/domain';
import { LapseError } from '@lapse/platform';
import { PolicyClient } from '@lapse/policy-client';
import { sendPage } from '../pages/home.controller';
import { PageErrorFilter } from '../pages/page-error.filter';
import { PageRenderer } from '../pages/page-renderer';
import { CONSOLE_ROLES, PageShell } from '../pages/page-shell';
import { requestRow, type PersonView } from '../pages/view-models';
import { UserApi } from '../services/user-api';
import { CurrentSession } from '../sessions/session.guard';
import type { SignedIn } from '../sessions/sessions.service';

type FormBody = Record<string, unknown>;

const NOTICES: Record<string, { kind: string; message: string }> = {
  approved: { kind: 'approved', message: 'Request approved. The user has access again.' },
  denied: { kind: 'denied', message: 'Request denied. The user stays locked and is told why.' },
  'not-pending': {
    kind: 'error',
    message: 'That request was already decided or has expired: nothing changed.',
  },
  'invalid-note': { kind: 'error', message: 'The note must be at most 1000 characters.' },
};

const WHY_NOT: Record<ReviewRefusal, string> = {
  OWN_REQUEST: 'Your request',
  READ_ONLY: 'Read-only',
  NOT_A_REVIEWER: 'Awaiting a reviewer',
};

/**
 * The Access Requests review page (rule 9): open requests and those resolved in the last 90
 * days that the signed-in user may see (rule 6), with approve and deny where they may decide.
 * Rights come from the requests service (called as the user); names of people and resources
 * from policy.
 */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller('access-requests')
export class ReviewPageController {
  constructor(
    private readonly renderer: PageRenderer,
    private readonly shell: PageShell,
    private readonly api: UserApi,
    private readonly policy: PolicyClient,
  ) {}

  @Get()
  async reviewPage(
    @CurrentSession() signedIn: SignedIn,
    @Query('notice') notice: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const queue = await this.api.requests<ReviewQueueView>(
      signedIn,
      'GET',
      '/v1/access-requests/review-queue',
    );
    const rows = await this.rows(queue);
    const open = rows.filter((r) => r.status === 'PENDING');
    const seesAll = signedIn.user.roles.some((r) => CONSOLE_ROLES.includes(r));
    sendPage(
      res,
      200,
      this.renderer.render('access-requests', {
        title: 'Access Requests',
        ...(await this.shell.of(signedIn, 'access-requests', { openCount: open.length })),
        notice: typeof notice === 'string' ? (NOTICES[notice] ?? null) : null,
        scopeNote: seesAll
          ? 'Every resource'
          : 'Requests for the resources you approve, and your own',
        open,
        resolved: rows.filter((r) => r.status !== 'PENDING'),
      }),
    );
  }

  @Post(':id/approve')
  approve(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ) {
    return this.decide(signedIn, id, 'approve', body, res);
  }

  @Post(':id/deny')
  deny(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ) {
    return this.decide(signedIn, id, 'deny', body, res);
  }

  private async decide(
    signedIn: SignedIn,
    id: string,
    decision: 'approve' | 'deny',
    body: FormBody,
    res: Response,
  ): Promise<void> {
    this.shell.checkCsrf(signedIn, body);
    const note = typeof body['note'] === 'string' ? body['note'].trim() : undefined;
    if (validateNote(note).length > 0)
      return res.redirect(303, '/access-requests?notice=invalid-note');
    try {
      await this.api.requests(
        signedIn,
        'POST',
        `/v1/access-requests/${encodeURIComponent(id)}/${decision}`,
        note ? { note } : {},
      );
      res.redirect(
        303,
        `/access-requests?notice=${decision === 'approve' ? 'approved' : 'denied'}`,
      );
    } catch (e) {
      if (e instanceof LapseError && e.kind === 'CONFLICT')
        return res.redirect(303, '/access-requests?notice=not-pending');
      throw e;
    }
  }

  private async rows(queue: ReviewQueueView) {
    const userIds = new Set<string>();
    const resourceIds = new Set<string>();
    for (const { request } of queue.items) {
      userIds.add(request.userId);
      if (request.reviewerId) userIds.add(request.reviewerId);
      resourceIds.add(request.resourceId);
    }
    const people = new Map<string, PersonView>();
    const names = new Map<string, string>();
    await Promise.all([
      ...[...userIds].map(async (id) => {
        const u = await this.policy.user(id).catch(() => null);
        people.set(id, u ? { name: u.name, email: u.email } : { name: 'Unknown user', email: id });
      }),
      ...[...resourceIds].map(async (id) => {
        const r = await this.policy.resource(id).catch(() => null);
        names.set(id, r?.name ?? id);
      }),
    ]);
    const now = Date.now();
    return queue.items.map(({ request, canDecide, whyNot }) =>
      requestRow(request, {
        user: people.get(request.userId) as PersonView,
        resourceName: names.get(request.resourceId) as string,
        reviewer: request.reviewerId ? (people.get(request.reviewerId) ?? null) : null,
        canDecide,
        whyNot: whyNot ? WHY_NOT[whyNot] : null,
        nowMs: now,
      }),
    );
  }
}
