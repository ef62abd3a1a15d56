import { Body, Controller, Get, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Policy } from '@lapse/contracts';
import { LapseError } from '@lapse/platform';
import { PageErrorFilter } from '../pages/page-error.filter';
import { CurrentSession } from '../sessions/session.guard';
import type { SignedIn } from '../sessions/sessions.service';
import { AdminApi, type GroupSummary } from './admin-api';
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
import { canReview } from './console-access';
import {
  describeAutoLock,
  describeJit,
  parsePolicyForm,
  policyFormModel,
  type FieldError,
} from './policy-form';
import {
  NEVER,
  assignmentCells,
  openRequestRow,
  parseExpiry,
  stateView,
  timeOr,
  utcInputValue,
} from './view-models';

const NOTICES = {
  created: 'Resource created. Set its default policy and give groups access below.',
  policy: 'Default policy saved. Every grant that inherits it follows at once.',
  'group-added': 'Group added. Its members get a grant under the policy shown.',
  'group-removed': 'Group removed. Grants that came only from it are revoked.',
  assignment: 'Group access saved.',
  approvers: 'Approver groups saved.',
  approved: 'Request approved. The user has access again.',
  denied: 'Request denied. The user stays locked.',
  'not-pending': 'That request was already decided or has expired: nothing changed.',
};

/**
 * The Resources pages: the list (search, paging, a new resource) and a resource's page: address,
 * default policy (auto-lock presets 1/7/30/60/90 days or custom seconds; JIT presets, requester's
 * choice or custom up to 7 days), the groups with access (inheriting or overriding, with expiry),
 * approver groups, every user's grant state, open requests with approve/deny, the CSV report.
 * The assignment page edits one group's override beside the default.
 */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller('resources')
export class ResourcesPageController {
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
    const name = str(body['name']);
    const address = str(body['address']);
    const missing: Problem | null = !name
      ? { field: 'name', message: 'Name: enter the resource’s name.' }
      : !address
        ? { field: 'address', message: 'Address: enter the host, URL, host:port or CIDR.' }
        : null;
    if (missing) return this.renderList(res, signedIn, {}, missing, { name, address });
    await this.pages.submit(
      res,
      async () => {
        const r = await this.api.createResource(signedIn, { name, address });
        return `/resources/${r.id}?notice=created`;
      },
      (problem) => this.renderList(res, signedIn, {}, problem, { name, address }),
    );
  }

  @Get(':id')
  async detail(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.read(signedIn);
    await this.renderDetail(res, signedIn, id, {
      notice: noticeOf(query['notice'], NOTICES),
      grantsCursor: str(query['grants']) || undefined,
    });
  }

  @Get(':id/report.csv')
  async report(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.read(signedIn);
    const resource = await this.api.resource(signedIn, id);
    sendReport(res, await this.api.report(signedIn, 'resources', id), `resource-${resource.name}`);
  }

  @Post(':id/policy')
  async savePolicy(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    const parsed = parsePolicyForm(body, 'default');
    if (!parsed.ok)
      return this.renderDetail(res, signedIn, id, { policyErrors: parsed.errors, status: 400 });
    await this.pages.submit(
      res,
      async () => {
        await this.api.updateResource(signedIn, id, { policy: parsed.policy });
        return `/resources/${id}?notice=policy#default-policy`;
      },
      (problem) =>
        this.renderDetail(res, signedIn, id, {
          policyErrors: [{ field: 'autoLock', message: problem.message }],
          status: 400,
        }),
    );
  }

  @Post(':id/details')
  async saveDetails(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    const name = str(body['name']);
    const address = str(body['address']);
    if (!name || !address)
      return this.renderDetail(res, signedIn, id, {
        problem: {
          field: !name ? 'name' : 'address',
          message: !name ? 'Name: enter a name.' : 'Address: enter an address.',
        },
        status: 400,
      });
    await this.pages.submit(
      res,
      async () => {
        await this.api.updateResource(signedIn, id, { name, address });
        return `/resources/${id}`;
      },
      (problem) => this.renderDetail(res, signedIn, id, { problem, status: 400 }),
    );
  }

  @Post(':id/groups')
  async addGroup(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    const groupId = str(body['groupId']);
    const expiry = parseExpiry(str(body['expiresAt']), Date.now());
    const problem: Problem | null = !groupId
      ? { field: 'groupId', message: 'Group: choose a group to give access.' }
      : expiry === 'INVALID'
        ? { field: 'expiresAt', message: 'Expires: enter a future date and time (UTC), or none.' }
        : null;
    if (problem) return this.renderDetail(res, signedIn, id, { problem, status: 400 });
    await this.pages.submit(
      res,
      async () => {
        await this.api.putAssignment(signedIn, id, groupId, {
          ...(expiry ? { expiresAt: expiry } : {}),
        });
        return `/resources/${id}?notice=group-added#groups`;
      },
      (problem) => this.renderDetail(res, signedIn, id, { problem, status: 400 }),
    );
  }

  @Post(':id/groups/:groupId/remove')
  async removeGroup(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Param('groupId') groupId: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    await this.api.removeAssignment(signedIn, id, groupId);
    res.redirect(303, `/resources/${id}?notice=group-removed#groups`);
  }

  @Post(':id/approvers')
  async saveApprovers(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    await this.pages.submit(
      res,
      async () => {
        await this.api.setApprovers(signedIn, id, list(body['groupIds']));
        return `/resources/${id}?notice=approvers#approvers`;
      },
      (problem) => this.renderDetail(res, signedIn, id, { problem, status: 400 }),
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
    res.redirect(303, `/resources/${id}?notice=${notice}#requests`);
  }

  /** One group's access to the resource: its override beside the default, and its expiry. */
  @Get(':id/groups/:groupId')
  async assignment(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Param('groupId') groupId: string,
    @Query('from') from: unknown,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.read(signedIn);
    await this.renderAssignment(res, signedIn, id, groupId, { from: str(from) });
  }

  @Post(':id/groups/:groupId')
  async saveAssignment(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Param('groupId') groupId: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    const from = str(body['from']);
    const parsed = parsePolicyForm(body, 'override');
    const expiry = parseExpiry(str(body['expiresAt']), Date.now());
    const errors: FieldError[] = parsed.ok ? [] : [...parsed.errors];
    if (expiry === 'INVALID')
      errors.push({
        field: 'expiresAt',
        message: 'Expires: enter a future date and time (UTC), or leave it empty for never.',
      });
    if (!parsed.ok || errors.length)
      return this.renderAssignment(res, signedIn, id, groupId, { from, errors, status: 400 });
    await this.pages.submit(
      res,
      async () => {
        await this.api.putAssignment(signedIn, id, groupId, {
          policy: parsed.policy,
          expiresAt: expiry === 'INVALID' ? null : expiry,
        });
        return from === 'group'
          ? `/groups/${groupId}?notice=assignment#resources`
          : `/resources/${id}?notice=assignment#groups`;
      },
      (problem) =>
        this.renderAssignment(res, signedIn, id, groupId, {
          from,
          errors: [
            {
              field: problem.field === 'expiresAt' ? 'expiresAt' : 'autoLock',
              message: problem.message,
            },
          ],
          status: 400,
        }),
    );
  }

  private async renderList(
    res: Response,
    signedIn: SignedIn,
    query: Record<string, unknown>,
    problem?: Problem,
    form: { name?: string; address?: string } = {},
  ): Promise<void> {
    const search = str(query['q']);
    const cursor = str(query['cursor']) || undefined;
    const page = await this.api.resources(signedIn, { q: search, cursor, limit: 50 });
    await this.pages.show(
      res,
      signedIn,
      'resources',
      'resources',
      {
        title: 'Resources',
        search,
        rows: page.items.map((r) => ({
          id: r.id,
          name: r.name,
          address: r.address,
          autoLock: describeAutoLock(r.policy.autoLock),
          jit: describeJit(r.policy.accessRequests),
        })),
        ...pageLinks('/resources', { search, cursor, nextCursor: page.nextCursor }),
        form,
      },
      { problem },
    );
  }

  private async renderDetail(
    res: Response,
    signedIn: SignedIn,
    id: string,
    opts: Feedback & { policyErrors?: FieldError[]; grantsCursor?: string },
  ): Promise<void> {
    const resource = await this.api.resource(signedIn, id);
    const [assignments, groups, grants, open] = await Promise.all([
      this.api.assignments(signedIn, id),
      this.api.allGroups(signedIn),
      this.api.resourceGrants(signedIn, id, opts.grantsCursor),
      this.api.openRequests(signedIn, { resourceId: id }),
    ]);
    const groupName = new Map(groups.map((g) => [g.id, g.name]));
    const assigned = new Set(assignments.map((a) => a.groupId));
    const people = new Map(grants.items.map((g) => [g.userId, { name: g.name, email: g.email }]));
    const reviews = canReview(signedIn.user.roles);
    await this.pages.show(
      res,
      signedIn,
      'resource',
      'resources',
      {
        title: resource.name,
        resource,
        createdAt: timeOr(resource.createdAt),
        defaultSummary: summary(resource.policy),
        policyForm: policyFormModel(resource.policy, 'default', 'default', opts.policyErrors),
        assignments: assignments
          .map((a) => ({
            groupId: a.groupId,
            groupName: groupName.get(a.groupId) ?? a.groupId,
            ...assignmentCells(resource.policy, a.policy),
            expires: timeOr(a.expiresAt, NEVER),
          }))
          .sort((a, b) => a.groupName.localeCompare(b.groupName)),
        addableGroups: groups.filter((g) => !assigned.has(g.id)),
        approverGroups: groups.map((g: GroupSummary) => ({
          id: g.id,
          name: g.name,
          checked: resource.approverGroupIds.includes(g.id),
        })),
        approverNames: resource.approverGroupIds.map((g) => groupName.get(g) ?? g),
        grants: grants.items.map((g) => ({
          userId: g.userId,
          name: g.name,
          email: g.email,
          inactive: !g.userActive,
          state: stateView(g.state),
          lastAccessAt: timeOr(g.lastAccessAt, NEVER),
          lockedAt: timeOr(g.lockedAt),
          activeUntil: timeOr(g.activeUntil),
          lastAdminUnlockAt: timeOr(g.lastAdminUnlockAt, NEVER),
        })),
        grantsNext: grants.nextCursor
          ? `/resources/${id}?grants=${encodeURIComponent(grants.nextCursor)}#grants`
          : null,
        grantsPaged: Boolean(opts.grantsCursor),
        decideBase: `/resources/${id}`,
        requests: await Promise.all(
          open.map(async (r) =>
            openRequestRow(r, {
              user: people.get(r.userId) ?? (await this.api.person(signedIn, r.userId)),
              resourceName: resource.name,
              viewerId: signedIn.user.id,
              viewerReviews: reviews,
            }),
          ),
        ),
      },
      opts,
    );
  }

  private async renderAssignment(
    res: Response,
    signedIn: SignedIn,
    id: string,
    groupId: string,
    opts: { from: string; errors?: FieldError[]; status?: number },
  ): Promise<void> {
    const [resource, group, assignments] = await Promise.all([
      this.api.resource(signedIn, id),
      this.api.group(signedIn, groupId),
      this.api.assignments(signedIn, id),
    ]);
    const assignment = assignments.find((a) => a.groupId === groupId);
    if (!assignment) throw LapseError.notFound(`access of group ${group.name} to`, resource.name);
    const errors = Object.fromEntries((opts.errors ?? []).map((e) => [e.field, e.message]));
    await this.pages.show(
      res,
      signedIn,
      'assignment',
      opts.from === 'group' ? 'groups' : 'resources',
      {
        title: `${group.name} on ${resource.name}`,
        resource,
        group,
        from: opts.from === 'group' ? 'group' : 'resource',
        backHref: opts.from === 'group' ? `/groups/${group.id}` : `/resources/${resource.id}`,
        backLabel: opts.from === 'group' ? group.name : resource.name,
        defaultSummary: summary(resource.policy),
        current: assignmentCells(resource.policy, assignment.policy),
        expires: timeOr(assignment.expiresAt, NEVER),
        expiresValue: utcInputValue(assignment.expiresAt),
        policyForm: policyFormModel(assignment.policy, 'override', 'override', opts.errors),
        errors,
      },
      { status: opts.status },
    );
  }
}

function summary(p: Policy) {
  return { autoLock: describeAutoLock(p.autoLock), jit: describeJit(p.accessRequests) };
}

/** Approves or denies a request from a console page; the notice key to show after. */
export async function decideRequest(
  api: AdminApi,
  signedIn: SignedIn,
  requestId: string,
  decision: 'approve' | 'deny',
  body: FormBody,
): Promise<'approved' | 'denied' | 'not-pending'> {
  const note = str(body['note']) || undefined;
  try {
    await api.decide(signedIn, requestId, decision, note);
    return decision === 'approve' ? 'approved' : 'denied';
  } catch (e) {
    if (e instanceof LapseError && e.kind === 'CONFLICT') return 'not-pending';
    throw e;
  }
}
