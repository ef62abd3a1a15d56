import { Body, Controller, Get, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { UserView } from '@lapse/contracts';
import { LapseError } from '@lapse/platform';
import { PageErrorFilter } from '../pages/page-error.filter';
import { CurrentSession } from '../sessions/session.guard';
import type { SignedIn } from '../sessions/sessions.service';
import { AdminApi } from './admin-api';
import {
  AdminPages,
  list,
  noticeOf,
  pageLinks,
  sendReport,
  str,
  type Feedback,
  type FormBody,
  type Problem,
} from './admin-pages';
import { ROLE_LABELS, canEdit, canReview, roleChoices, rolesFromForm } from './console-access';
import { describeAutoLock, describeJit } from './policy-form';
import { decideRequest } from './resources.controller';
import { NEVER, openRequestRow, stateView, timeOr } from './view-models';

const NOTICES = {
  created: 'User created. Add them to groups to give them access.',
  roles: 'Roles saved. The user signs in again to use them.',
  unlocked: 'Unlocked. The user has access again, recorded as an admin unlock.',
  offboarded: 'User offboarded: every grant revoked, open requests cancelled, sessions ended.',
  reactivated: 'User reactivated. Add them to groups to give them access again.',
  approved: 'Request approved. The user has access again.',
  denied: 'Request denied. The user stays locked.',
  'not-pending': 'That request was already decided or has expired: nothing changed.',
};

/**
 * The Users pages: the list (search by name or email, a new user) and a user's page: roles (rule
 * 13: only an ADMIN grants ADMIN or DEVOPS, nobody their own), active, every grant with its state
 * and an Unlock button (never on one's own grants), open requests, the CSV report, and offboarding
 * behind a confirmation page (rule 12).
 */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller('users')
export class UsersPageController {
  constructor(
    private readonly pages: AdminPages,
    private readonly api: AdminApi,
  ) {}

  @Get()
  async list(
    @CurrentSession() signedIn: SignedIn,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.read(signedIn);
    await this.renderList(res, signedIn, query);
  }

  @Post()
  async create(
    @CurrentSession() signedIn: SignedIn,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    const form = { name: str(body['name']), email: str(body['email']) };
    const missing: Problem | null = !form.name
      ? { field: 'name', message: 'Name: enter the person’s name.' }
      : !/^[^\s@]+@[^\s@]+$/.test(form.email)
        ? { field: 'email', message: 'Email: enter an email address.' }
        : null;
    if (missing) return this.renderList(res, signedIn, {}, missing, form);
    await this.pages.submit(
      res,
      async () => {
        const u = await this.api.createUser(signedIn, form);
        return `/users/${u.id}?notice=created`;
      },
      (problem) => this.renderList(res, signedIn, {}, problem, form),
    );
  }

  @Get(':id')
  async detail(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Query('notice') notice: unknown,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.read(signedIn);
    await this.renderDetail(res, signedIn, id, { notice: noticeOf(notice, NOTICES) });
  }

  @Get(':id/report.csv')
  async report(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.read(signedIn);
    const user = await this.api.user(signedIn, id);
    sendReport(res, await this.api.report(signedIn, 'users', id), `user-${user.email}`);
  }

  @Post(':id/roles')
  async saveRoles(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    const user = await this.api.user(signedIn, id);
    const roles = rolesFromForm(roleChoices(signedIn.user, user), list(body['roles']));
    await this.pages.submit(
      res,
      async () => {
        await this.api.updateUser(signedIn, id, { roles });
        return `/users/${id}?notice=roles#roles`;
      },
      (problem) => this.renderDetail(res, signedIn, id, { problem }),
    );
  }

  @Post(':id/unlock/:resourceId')
  async unlock(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Param('resourceId') resourceId: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    if (id === signedIn.user.id)
      throw LapseError.forbidden('Nobody unlocks their own access (four eyes).');
    await this.pages.submit(
      res,
      async () => {
        await this.api.unlock(signedIn, id, resourceId);
        return `/users/${id}?notice=unlocked#grants`;
      },
      (problem) => this.renderDetail(res, signedIn, id, { problem }),
    );
  }

  @Post(':id/requests/:requestId/:decision')
  async decide(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Param('decision') decision: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.review(signedIn, body);
    if (decision !== 'approve' && decision !== 'deny') throw LapseError.notFound('page', decision);
    const notice = await decideRequest(this.api, signedIn, requestId, decision, body);
    res.redirect(303, `/users/${id}?notice=${notice}#requests`);
  }

  /** The confirmation page of offboarding: what will happen, and the button that does it. */
  @Get(':id/offboard')
  async confirmOffboard(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.read(signedIn);
    const user = await this.api.user(signedIn, id);
    await this.pages.send(res, signedIn, 'offboard', 'users', {
      title: `Offboard ${user.name}`,
      target: user,
      self: user.id === signedIn.user.id,
    });
  }

  @Post(':id/offboard')
  async offboard(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    if (str(body['confirm']) !== 'yes')
      throw LapseError.validation('confirm', 'confirm the offboarding on its page');
    await this.pages.submit(
      res,
      async () => {
        await this.api.offboard(signedIn, id);
        return `/users/${id}?notice=offboarded`;
      },
      (problem) => this.renderDetail(res, signedIn, id, { problem }),
    );
  }

  @Post(':id/reactivate')
  async reactivate(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    await this.pages.submit(
      res,
      async () => {
        await this.api.updateUser(signedIn, id, { active: true });
        return `/users/${id}?notice=reactivated`;
      },
      (problem) => this.renderDetail(res, signedIn, id, { problem }),
    );
  }

  private async renderList(
    res: Response,
    signedIn: SignedIn,
    query: Record<string, unknown>,
    problem?: Problem,
    form: { name?: string; email?: string } = {},
  ): Promise<void> {
    const search = str(query['q']);
    const cursor = str(query['cursor']) || undefined;
    const page = await this.api.users(signedIn, { q: search, cursor, limit: 50 });
    await this.pages.show(
      res,
      signedIn,
      'users',
      'users',
      {
        title: 'Users',
        search,
        rows: page.items.map((u) => ({
          ...u,
          roleLabels: u.roles.map((r) => ROLE_LABELS[r]).join(', '),
        })),
        ...pageLinks('/users', { search, cursor, nextCursor: page.nextCursor }),
        form,
      },
      { problem },
    );
  }

  private async renderDetail(
    res: Response,
    signedIn: SignedIn,
    id: string,
    feedback: Feedback,
  ): Promise<void> {
    const user: UserView = await this.api.user(signedIn, id);
    const [grants, open, groups] = await Promise.all([
      this.api.userGrants(signedIn, id),
      this.api.openRequests(signedIn, { userId: id }),
      this.api.allGroups(signedIn),
    ]);
    const groupName = new Map(groups.map((g) => [g.id, g.name]));
    const self = user.id === signedIn.user.id;
    const writer = canEdit(signedIn.user.roles);
    const resourceName = new Map(grants.map((g) => [g.resourceId, g.resourceName ?? g.resourceId]));
    const choices = roleChoices(signedIn.user, user);
    await this.pages.show(
      res,
      signedIn,
      'user',
      'users',
      {
        title: user.name,
        target: user,
        self,
        createdAt: timeOr(user.createdAt),
        groups: user.groupIds.map((g) => ({ id: g, name: groupName.get(g) ?? g })),
        roles: choices,
        rolesEditable: writer && choices.some((c) => !c.locked),
        roleSummary:
          user.roles.length === 0
            ? 'Member (no console role)'
            : user.roles.map((r) => ROLE_LABELS[r]).join(', '),
        grants: grants.map((g) => ({
          resourceId: g.resourceId,
          resourceName: g.resourceName ?? g.resourceId,
          state: stateView(g.state),
          autoLock: g.policy ? describeAutoLock(g.policy.autoLock) : '—',
          jit: g.policy ? describeJit(g.policy.accessRequests) : '—',
          via: (g.policySource?.groupIds ?? []).map((x) => groupName.get(x) ?? x).join(', '),
          lastAccessAt: timeOr(g.lastAccessAt, NEVER),
          lockedAt: timeOr(g.lockedAt),
          activeUntil: timeOr(g.activeUntil),
          lastAdminUnlockAt: timeOr(g.lastAdminUnlockAt, NEVER),
          canUnlock:
            writer && !self && user.active && (g.state === 'LOCKED' || g.state === 'PENDING'),
          whyNoUnlock:
            self && (g.state === 'LOCKED' || g.state === 'PENDING')
              ? 'Your own access: another admin unlocks it'
              : null,
        })),
        decideBase: `/users/${id}`,
        requests: open.map((r) =>
          openRequestRow(r, {
            user: { name: user.name, email: user.email },
            resourceName: resourceName.get(r.resourceId) ?? r.resourceId,
            viewerId: signedIn.user.id,
            viewerReviews: canReview(signedIn.user.roles),
          }),
        ),
      },
      feedback,
    );
  }
}
