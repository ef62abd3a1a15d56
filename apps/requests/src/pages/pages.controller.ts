import {
  Body,
  Controller,
  Get,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CookieSession, CurrentPrincipal, Public, tokenOf, type Principal } from '@lapse/auth';
import type { AccessRequest, GrantView, ResourceView } from '@lapse/contracts';
import { validateCustomAccessPeriod, validateNote, validateReason } from '@lapse/domain';
import { LapseError } from '@lapse/platform';
import {
  AccessRequestsService,
  type Decision,
  type VisibleRequest,
} from '../access-requests/access-requests.service';
import { GrantGateway } from '../access-requests/grant.gateway';
import { GLOBAL_READER_ROLES, type Viewer } from '../access-requests/review-rules';
import { viewerOf } from '../access-requests/viewer';
import { REQUESTS_CONFIG } from '../config.token';
import type { RequestsConfig } from '../config';
import { PolicyClient } from '../policy/policy.client';
import { csrfKey, csrfTokenFor, isValidCsrf } from './csrf';
import { PageErrorFilter } from './page-error.filter';
import { PageRenderer } from './page-renderer';
import {
  CUSTOM_PERIOD_CHOICES,
  GRANT_STATE_LABELS,
  LOCK_REASON_LABELS,
  describePolicy,
  formatDuration,
  formatTime,
  requestPageMode,
  requestRow,
  type PersonView,
} from './view-models';

const CSS = readFileSync(join(__dirname, 'assets', 'lapse.css'), 'utf8');

type PageUser = Extract<Principal, { kind: 'user' }>;
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

const WHY_NOT: Record<string, string> = {
  OWN_REQUEST: 'Your request',
  READ_ONLY: 'Read-only',
  NOT_A_REVIEWER: 'Awaiting a reviewer',
  SERVICE: '',
};

/**
 * The server-rendered pages: the request page (block page and JIT request) and the Access
 * Requests review page. No client-side script; forms post here and redirect (PRG); every form
 * carries a CSRF token bound to the session.
 */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@CookieSession()
@Controller()
export class PagesController {
  private readonly csrfKey: string;

  constructor(
    private readonly renderer: PageRenderer,
    private readonly requests: AccessRequestsService,
    private readonly grants: GrantGateway,
    private readonly policy: PolicyClient,
    @Inject(REQUESTS_CONFIG) private readonly config: RequestsConfig,
  ) {
    this.csrfKey = csrfKey(config.LAPSE_CSRF_SECRET, config.LAPSE_SERVICE_SECRET as string);
  }

  @Public()
  @Get('assets/lapse.css')
  css(@Res() res: Response): void {
    res.type('text/css').setHeader('Cache-Control', 'public, max-age=3600').send(CSS);
  }

  @Get('request/:resourceId')
  async requestPage(
    @CurrentPrincipal() principal: Principal,
    @Param('resourceId') resourceId: string,
    @Query('request') requestId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const user = pageUser(principal);
    const { grant, resource } = await this.grantAndResource(user, resourceId);
    const result =
      typeof requestId === 'string'
        ? await this.resultOf(user, resourceId, requestId, grant)
        : null;
    this.send(res, 200, 'request', await this.requestModel(user, req, grant, resource, { result }));
  }

  @Post('request/:resourceId')
  async submit(
    @CurrentPrincipal() principal: Principal,
    @Param('resourceId') resourceId: string,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const user = pageUser(principal);
    this.checkCsrf(req, body);
    const { grant, resource } = await this.grantAndResource(user, resourceId);
    const reason = typeof body['reason'] === 'string' ? body['reason'] : '';
    const custom = grant.policy.accessRequests?.accessPeriodSeconds === 'CUSTOM';
    const rawDuration = typeof body['durationSeconds'] === 'string' ? body['durationSeconds'] : '';
    const durationSeconds = custom && rawDuration !== '' ? Number(rawDuration) : undefined;
    const errors: Record<string, string> = {};
    const reasonError = validateReason(reason)[0];
    if (reasonError) errors['reason'] = reasonError.message.replace(/^reason/, 'A reason');
    if (custom) {
      const d = validateCustomAccessPeriod(durationSeconds)[0];
      if (d) errors['durationSeconds'] = 'Choose a period of at most 7 days.';
    }
    const again = (status: number, extra: Record<string, string>) =>
      this.requestModel(user, req, grant, resource, {
        errors: { ...errors, ...extra },
        values: { reason, durationSeconds },
      }).then((m) => this.send(res, status, 'request', m));
    if (Object.keys(errors).length > 0) return again(400, {});
    try {
      const key =
        typeof body['requestKey'] === 'string' ? body['requestKey'].slice(0, 200) : undefined;
      const request = await this.requests.submit(
        user.id,
        { resourceId, reason, durationSeconds },
        key,
      );
      res.redirect(
        303,
        `/request/${encodeURIComponent(resourceId)}?request=${encodeURIComponent(request.id)}`,
      );
    } catch (e) {
      if (e instanceof LapseError && e.kind === 'VALIDATION')
        return again(400, {
          [e.field === 'durationSeconds' ? 'durationSeconds' : 'reason']: e.message,
        });
      if (e instanceof LapseError && e.kind === 'CONFLICT')
        return res.redirect(303, `/request/${encodeURIComponent(resourceId)}`);
      throw e;
    }
  }

  @Get('access-requests')
  async reviewPage(
    @CurrentPrincipal() principal: Principal,
    @Query('notice') notice: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const user = pageUser(principal);
    const viewer = viewerOf(user);
    const visible = await this.requests.list(viewer, {});
    const rows = await this.rows(visible);
    const open = rows.filter((r) => r.status === 'PENDING');
    const seesAll = user.roles.some((r) => GLOBAL_READER_ROLES.includes(r));
    this.send(res, 200, 'access-requests', {
      title: 'Access Requests',
      user,
      nav: await this.nav(viewer, 'access-requests', open.length),
      csrf: csrfTokenFor(this.csrfKey, tokenOf(req, { cookies: true }) ?? ''),
      notice: typeof notice === 'string' ? (NOTICES[notice] ?? null) : null,
      scopeNote: seesAll
        ? 'Every resource'
        : 'Requests for the resources you approve, and your own',
      open,
      resolved: rows.filter((r) => r.status !== 'PENDING'),
    });
  }

  @Post('access-requests/:id/approve')
  approve(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    return this.decide(p, id, 'APPROVE', body, req, res);
  }

  @Post('access-requests/:id/deny')
  deny(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    return this.decide(p, id, 'DENY', body, req, res);
  }

  private async decide(
    principal: Principal,
    id: string,
    decision: Decision,
    body: FormBody,
    req: Request,
    res: Response,
  ): Promise<void> {
    const user = pageUser(principal);
    this.checkCsrf(req, body);
    const note = typeof body['note'] === 'string' ? body['note'].trim() : undefined;
    if (validateNote(note).length > 0)
      return res.redirect(303, '/access-requests?notice=invalid-note');
    try {
      await this.requests.decide(viewerOf(user), id, decision, note === '' ? undefined : note);
      res.redirect(
        303,
        `/access-requests?notice=${decision === 'APPROVE' ? 'approved' : 'denied'}`,
      );
    } catch (e) {
      if (e instanceof LapseError && e.kind === 'CONFLICT')
        return res.redirect(303, '/access-requests?notice=not-pending');
      throw e;
    }
  }

  private checkCsrf(req: Request, body: FormBody): void {
    if (!isValidCsrf(this.csrfKey, tokenOf(req, { cookies: true }), body['_csrf'])) {
      throw LapseError.forbidden(
        'The form expired or did not come from this site. Reload the page and try again.',
      );
    }
  }

  private async grantAndResource(
    user: PageUser,
    resourceId: string,
  ): Promise<{ grant: GrantView; resource: ResourceView }> {
    const [grant, resource] = await Promise.all([
      this.grants.state(resourceId, user.id),
      this.policy.getResource(resourceId),
    ]);
    if (!grant || !resource) throw LapseError.notFound('access to resource', resourceId);
    return { grant, resource };
  }

  private async resultOf(user: PageUser, resourceId: string, requestId: string, grant: GrantView) {
    const request = await this.requests.get(viewerOf(user), requestId).then(
      (v) => v.request,
      () => null,
    );
    if (!request || request.userId !== user.id || request.resourceId !== resourceId) return null;
    return resultView(request, grant);
  }

  private async requestModel(
    user: PageUser,
    req: Request,
    grant: GrantView,
    resource: ResourceView,
    extra: {
      result?: ReturnType<typeof resultView> | null;
      errors?: Record<string, string>;
      values?: { reason: string; durationSeconds?: number };
    },
  ) {
    const mode = requestPageMode(grant);
    const jit = grant.policy.accessRequests;
    const approval = (jit ?? grant.policy.autoLock)?.approval;
    const chosen = extra.values?.durationSeconds ?? 8 * 3600;
    const open = grant.openRequest;
    return {
      title: `Access to ${resource.name}`,
      user,
      nav: await this.nav(viewerOf(user), 'request', 0),
      refreshSeconds: mode === 'WAITING' ? 5 : null,
      csrf: csrfTokenFor(this.csrfKey, tokenOf(req, { cookies: true }) ?? ''),
      requestKey: randomUUID(),
      resource: { id: resource.id, name: resource.name, address: resource.address },
      mode,
      isJit: jit !== null && grant.lockReason !== 'AUTO_LOCK',
      automatic: approval === 'AUTOMATIC',
      stateLabel: GRANT_STATE_LABELS[grant.state],
      stateClass: grant.state.toLowerCase(),
      lockReason:
        grant.state === 'LOCKED' || grant.state === 'PENDING'
          ? grant.lockReason
            ? LOCK_REASON_LABELS[grant.lockReason]
            : null
          : null,
      lockedAt: grant.state !== 'ACTIVE' && grant.lockedAt ? formatTime(grant.lockedAt) : null,
      lockedAtIso: grant.lockedAt,
      activeUntil:
        grant.state === 'ACTIVE' && grant.activeUntil ? formatTime(grant.activeUntil) : null,
      activeUntilIso: grant.activeUntil,
      lastAccessAt: grant.lastAccessAt ? formatTime(grant.lastAccessAt) : null,
      policyLines: describePolicy(grant.policy),
      customPeriod: jit?.accessPeriodSeconds === 'CUSTOM',
      periodChoices: CUSTOM_PERIOD_CHOICES.map((c) => ({ ...c, selected: c.seconds === chosen })),
      openRequest: open
        ? {
            reason: open.reason,
            requestedAt: formatTime(open.requestedAt),
            requestedAtIso: open.requestedAt,
            duration: open.durationSeconds ? formatDuration(open.durationSeconds) : null,
            expiresAt: formatTime(open.expiresAt),
          }
        : null,
      result: extra.result ?? null,
      errors: extra.errors ?? {},
      values: extra.values ?? { reason: '' },
    };
  }

  /** Navigation: the review page for reviewers and approvers; the console only for console roles. */
  private async nav(viewer: Viewer, current: string, openCount: number) {
    const consoleRole =
      viewer.kind === 'user' && viewer.roles.some((r) => GLOBAL_READER_ROLES.includes(r));
    const reviews = consoleRole || (await this.requests.approvesAnything(viewer));
    return {
      current,
      reviews,
      openCount: reviews
        ? openCount || (current === 'access-requests' ? 0 : await this.requests.countOpen(viewer))
        : 0,
      consoleUrl: consoleRole ? this.config.LAPSE_CONSOLE_URL : null,
    };
  }

  private async rows(visible: VisibleRequest[]) {
    const userIds = new Set<string>();
    const resourceIds = new Set<string>();
    for (const { request } of visible) {
      userIds.add(request.userId);
      if (request.reviewerId) userIds.add(request.reviewerId);
      resourceIds.add(request.resourceId);
    }
    const people = new Map<string, PersonView>();
    const names = new Map<string, string>();
    await Promise.all([
      ...[...userIds].map(async (id) => {
        const u = await this.policy.getUser(id).catch(() => null);
        people.set(id, u ? { name: u.name, email: u.email } : { name: 'Unknown user', email: id });
      }),
      ...[...resourceIds].map(async (id) => {
        const r = await this.policy.getResource(id).catch(() => null);
        names.set(id, r?.name ?? id);
      }),
    ]);
    const now = Date.now();
    return visible.map(({ request, right }) =>
      requestRow(request, {
        user: people.get(request.userId) as PersonView,
        resourceName: names.get(request.resourceId) as string,
        reviewer: request.reviewerId ? (people.get(request.reviewerId) ?? null) : null,
        canDecide: right.allowed,
        whyNot: right.allowed ? null : WHY_NOT[right.why],
        nowMs: now,
      }),
    );
  }

  private send(
    res: Response,
    status: number,
    page: 'request' | 'access-requests',
    model: object,
  ): void {
    res
      .status(status)
      .type('html')
      .setHeader('Cache-Control', 'no-store')
      .send(this.renderer.render(page, model));
  }
}

function pageUser(p: Principal): PageUser {
  if (p.kind !== 'user') throw LapseError.forbidden('pages are for users');
  return p;
}

/** The outcome banner after a submit (PRG target). PENDING shows as the waiting view instead. */
function resultView(
  r: AccessRequest,
  grant: GrantView,
): { kind: string; heading: string; message: string; note: string | null } | null {
  switch (r.status) {
    case 'PENDING':
      return null;
    case 'APPROVED':
      return {
        kind: 'approved',
        heading: r.type === 'JIT' ? 'Access granted' : 'Access restored',
        message:
          grant.state === 'ACTIVE' && grant.activeUntil
            ? `You can connect now, until ${formatTime(grant.activeUntil)}.`
            : r.approvalMode === 'AUTOMATIC'
              ? 'Your access was restored right away. You can connect now.'
              : 'A reviewer approved your request. You can connect now.',
        note: r.note,
      };
    case 'DENIED':
      return {
        kind: 'denied',
        heading: 'Your request was denied',
        message: 'You can ask again with more detail.',
        note: r.note,
      };
    case 'EXPIRED':
      return {
        kind: 'denied',
        heading: 'Your request expired',
        message: 'Nobody decided in time. You can ask again.',
        note: null,
      };
    case 'CANCELLED':
      return {
        kind: 'denied',
        heading: 'Your request was cancelled',
        message: 'The access policy changed while it was open.',
        note: null,
      };
  }
}
