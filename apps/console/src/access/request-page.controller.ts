import { Body, Controller, Get, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { AccessRequest, GrantView, OwnGrantView } from '@lapse/contracts';
import { formatDuration, validateCustomAccessPeriod, validateReason } from '@lapse/domain';
import { LapseError } from '@lapse/platform';
import { safeReturnTo } from '../auth/return-to';
import { sendPage } from '../pages/home.controller';
import { PageErrorFilter } from '../pages/page-error.filter';
import { PageRenderer } from '../pages/page-renderer';
import { PageShell } from '../pages/page-shell';
import {
  CUSTOM_PERIOD_CHOICES,
  GRANT_STATE_LABELS,
  LOCK_REASON_LABELS,
  describePolicy,
  formatTime,
  requestPageMode,
} from '../pages/view-models';
import { UserApi } from '../services/user-api';
import { CurrentSession } from '../sessions/session.guard';
import type { SignedIn } from '../sessions/sessions.service';
import { Inject } from '@nestjs/common';
import { CONSOLE_CONFIG } from '../config.token';
import type { ConsoleConfig } from '../config';

type FormBody = Record<string, unknown>;

/**
 * The block page and the JIT request page (`/request/:resourceId`): the signed-in user's grant to
 * the resource, and the form to ask for access. Proxies send a locked user here with
 * `?return_to=<the URL they wanted>`; once access is back the page offers the way back. No
 * client-side script; the form posts here and redirects (PRG) with a CSRF token bound to the
 * session. The grant, the resource and the requests come from the requests service's REST API,
 * called as the user.
 */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller('request')
export class RequestPageController {
  constructor(
    private readonly renderer: PageRenderer,
    private readonly shell: PageShell,
    private readonly api: UserApi,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  @Get(':resourceId')
  async requestPage(
    @CurrentSession() signedIn: SignedIn,
    @Param('resourceId') resourceId: string,
    @Query('request') requestId: unknown,
    @Query('return_to') returnTo: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const own = await this.ownGrant(signedIn, resourceId);
    const result =
      typeof requestId === 'string' && requestId !== ''
        ? await this.resultOf(signedIn, resourceId, requestId, own.grant)
        : null;
    const model = await this.model(signedIn, own, { result, returnTo: this.backTo(own, returnTo) });
    sendPage(res, 200, this.renderer.render('request', model));
  }

  @Post(':resourceId')
  async submit(
    @CurrentSession() signedIn: SignedIn,
    @Param('resourceId') resourceId: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.shell.checkCsrf(signedIn, body);
    const own = await this.ownGrant(signedIn, resourceId);
    const { grant } = own;
    const returnTo = this.backTo(own, body['return_to']);
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
    const again = async (status: number, extra: Record<string, string>) =>
      sendPage(
        res,
        status,
        this.renderer.render(
          'request',
          await this.model(signedIn, own, {
            errors: { ...errors, ...extra },
            values: { reason, durationSeconds },
            returnTo,
          }),
        ),
      );
    if (Object.keys(errors).length > 0) return again(400, {});
    const key =
      typeof body['requestKey'] === 'string' ? body['requestKey'].slice(0, 200) : randomUUID();
    const back = returnTo ? `&return_to=${encodeURIComponent(returnTo)}` : '';
    try {
      const request = await this.api.requests<AccessRequest>(
        signedIn,
        'POST',
        '/v1/access-requests',
        { resourceId, reason, ...(durationSeconds !== undefined ? { durationSeconds } : {}) },
        { 'idempotency-key': key },
      );
      res.redirect(
        303,
        `/request/${encodeURIComponent(resourceId)}?request=${encodeURIComponent(request.id)}${back}`,
      );
    } catch (e) {
      if (e instanceof LapseError && e.kind === 'VALIDATION')
        return again(400, {
          [e.field === 'durationSeconds' ? 'durationSeconds' : 'reason']: e.message.replace(
            /^[\w.]+: /,
            '',
          ),
        });
      if (e instanceof LapseError && e.kind === 'CONFLICT')
        return res.redirect(
          303,
          `/request/${encodeURIComponent(resourceId)}${back && `?${back.slice(1)}`}`,
        );
      throw e;
    }
  }

  private ownGrant(signedIn: SignedIn, resourceId: string): Promise<OwnGrantView> {
    return this.api.requests<OwnGrantView>(
      signedIn,
      'GET',
      `/v1/grants/${encodeURIComponent(resourceId)}`,
    );
  }

  /** `return_to` when it is this resource's address (or a console page), else nothing. */
  private backTo(own: OwnGrantView, raw: unknown): string | null {
    return safeReturnTo(raw, {
      consoleUrl: this.config.LAPSE_CONSOLE_URL,
      resourceAddresses: [own.resource.address],
    });
  }

  private async resultOf(
    signedIn: SignedIn,
    resourceId: string,
    requestId: string,
    grant: GrantView,
  ) {
    const request = await this.api
      .requests<AccessRequest>(
        signedIn,
        'GET',
        `/v1/access-requests/${encodeURIComponent(requestId)}`,
      )
      .catch((e: unknown) => {
        if (e instanceof LapseError && (e.kind === 'NOT_FOUND' || e.kind === 'VALIDATION'))
          return null;
        throw e;
      });
    if (!request || request.userId !== signedIn.user.id || request.resourceId !== resourceId)
      return null;
    return resultView(request, grant);
  }

  private async model(
    signedIn: SignedIn,
    own: OwnGrantView,
    extra: {
      result?: ReturnType<typeof resultView> | null;
      errors?: Record<string, string>;
      values?: { reason: string; durationSeconds?: number };
      returnTo: string | null;
    },
  ) {
    const { grant, resource } = own;
    const mode = requestPageMode(grant);
    const jit = grant.policy.accessRequests;
    const approval = (jit ?? grant.policy.autoLock)?.approval;
    const chosen = extra.values?.durationSeconds ?? 8 * 3600;
    const open = grant.openRequest;
    return {
      title: `Access to ${resource.name}`,
      ...(await this.shell.of(signedIn, 'request')),
      refreshSeconds: mode === 'WAITING' ? 5 : mode === 'LOCKING' ? 2 : null,
      requestKey: randomUUID(),
      resource,
      returnTo: extra.returnTo,
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
