import { Body, Controller, Get, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { PageErrorFilter } from '../pages/page-error.filter';
import { CurrentSession } from '../sessions/session.guard';
import type { SignedIn } from '../sessions/sessions.service';
import { AdminApi } from './admin-api';
import {
  AdminPages,
  noticeOf,
  pageLinks,
  sendReport,
  str,
  type Feedback,
  type FormBody,
  type Problem,
} from './admin-pages';
import { NEVER, assignmentCells, timeOr } from './view-models';

const NOTICES = {
  created: 'Group created. Add its members below.',
  'member-added': 'Member added. They get a grant for every resource the group reaches.',
  'member-removed': 'Member removed. Grants that came only from this group are revoked.',
  assignment: 'Group access saved.',
};

/**
 * The Groups pages: the list (with a new group) and a group's page: its members (add by email,
 * remove), the resources it reaches with the policy each uses (override or inherited, with
 * expiry; the override is edited on the assignment page), and the CSV report.
 */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller('groups')
export class GroupsPageController {
  constructor(
    private readonly pages: AdminPages,
    private readonly api: AdminApi,
  ) {}

  @Get()
  async list(
    @CurrentSession() signedIn: SignedIn,
    @Query('cursor') cursor: unknown,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.read(signedIn);
    await this.renderList(res, signedIn, str(cursor) || undefined);
  }

  @Post()
  async create(
    @CurrentSession() signedIn: SignedIn,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    const name = str(body['name']);
    if (!name)
      return this.renderList(res, signedIn, undefined, {
        field: 'name',
        message: 'Name: enter the group’s name.',
      });
    await this.pages.submit(
      res,
      async () => {
        const g = await this.api.createGroup(signedIn, name);
        return `/groups/${g.id}?notice=created`;
      },
      (problem) => this.renderList(res, signedIn, undefined, problem, name),
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
    const group = await this.api.group(signedIn, id);
    sendReport(res, await this.api.report(signedIn, 'groups', id), `group-${group.name}`);
  }

  @Post(':id/members')
  async addMember(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    const email = str(body['email']);
    if (!/^[^\s@]+@[^\s@]+$/.test(email))
      return this.renderDetail(res, signedIn, id, {
        problem: { field: 'email', message: 'Email: enter the email address of a Lapse user.' },
        email,
      });
    const user = await this.api.userByEmail(signedIn, email);
    if (!user)
      return this.renderDetail(res, signedIn, id, {
        problem: { field: 'email', message: `Email: Lapse has no user with the email ${email}.` },
        email,
      });
    await this.pages.submit(
      res,
      async () => {
        await this.api.addMember(signedIn, id, user.id);
        return `/groups/${id}?notice=member-added#members`;
      },
      (problem) => this.renderDetail(res, signedIn, id, { problem, email }),
    );
  }

  @Post(':id/members/:userId/remove')
  async removeMember(
    @CurrentSession() signedIn: SignedIn,
    @Param('id') id: string,
    @Param('userId') userId: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    await this.api.removeMember(signedIn, id, userId);
    res.redirect(303, `/groups/${id}?notice=member-removed#members`);
  }

  private async renderList(
    res: Response,
    signedIn: SignedIn,
    cursor?: string,
    problem?: Problem,
    name = '',
  ): Promise<void> {
    const page = await this.api.groups(signedIn, { cursor, limit: 50 });
    await this.pages.show(
      res,
      signedIn,
      'groups',
      'groups',
      {
        title: 'Groups',
        rows: page.items.map((g) => ({ ...g, createdAt: timeOr(g.createdAt) })),
        ...pageLinks('/groups', { cursor, nextCursor: page.nextCursor }),
        name,
      },
      { problem },
    );
  }

  private async renderDetail(
    res: Response,
    signedIn: SignedIn,
    id: string,
    opts: Feedback & { email?: string },
  ): Promise<void> {
    const group = await this.api.group(signedIn, id);
    const [members, assignments] = await Promise.all([
      Promise.all(group.memberIds.map((m) => this.api.person(signedIn, m))),
      this.api.groupAssignments(signedIn, id),
    ]);
    const resources = await Promise.all(
      assignments.map(async (a) => ({ a, r: await this.api.resource(signedIn, a.resourceId) })),
    );
    await this.pages.show(
      res,
      signedIn,
      'group',
      'groups',
      {
        title: group.name,
        group,
        email: opts.email ?? '',
        members: members
          .map((u) => ({ id: u.id, name: u.name, email: u.email, inactive: !u.active }))
          .sort((a, b) => a.email.localeCompare(b.email)),
        resources: resources
          .map(({ a, r }) => ({
            id: r.id,
            name: r.name,
            address: r.address,
            ...assignmentCells(r.policy, a.policy),
            expires: timeOr(a.expiresAt, NEVER),
          }))
          .sort((x, y) => x.name.localeCompare(y.name)),
      },
      opts,
    );
  }
}
