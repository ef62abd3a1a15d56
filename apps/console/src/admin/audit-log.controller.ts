import { Controller, Get, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { PageErrorFilter } from '../pages/page-error.filter';
import { formatTime } from '../pages/view-models';
import { CurrentSession } from '../sessions/session.guard';
import type { SignedIn } from '../sessions/sessions.service';
import { AdminApi } from './admin-api';
import { AdminPages, str, type Problem } from './admin-pages';
import { auditDiff } from './audit-diff';
import { utcInputValue } from './view-models';

/** The audit log's categories (rule 7: policy changes are ACCESS; request decisions REQUEST). */
const CATEGORIES = [
  { value: 'ACCESS', label: 'Access (policy, groups, users, settings)' },
  { value: 'REQUEST', label: 'Requests (decisions)' },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The audit log: every change with actor, time, before and after (shown as a diff), filtered by
 * category, resource, user, actor and time range, newest first, paged.
 */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller('audit-log')
export class AuditLogPageController {
  constructor(
    private readonly pages: AdminPages,
    private readonly api: AdminApi,
  ) {}

  @Get()
  async page(
    @CurrentSession() signedIn: SignedIn,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.read(signedIn);
    const form = {
      category: str(query['category']),
      resourceId: str(query['resourceId']),
      user: str(query['user']),
      actor: str(query['actor']),
      since: str(query['since']),
      until: str(query['until']),
    };
    const problems: Problem[] = [];
    const filter: Record<string, string | undefined> = { limit: '50' };
    if (form.category) {
      if (CATEGORIES.some((c) => c.value === form.category)) filter['category'] = form.category;
      else problems.push({ field: 'category', message: 'Category: choose one from the list.' });
    }
    if (form.resourceId) filter['resourceId'] = form.resourceId;
    if (form.user) {
      const id = await this.userId(signedIn, form.user);
      if (id) filter['userId'] = id;
      else problems.push({ field: 'user', message: `User: Lapse has no user ${form.user}.` });
    }
    if (form.actor) {
      // An actor is a user (by email or id), or a service or system name (scim, service:…).
      filter['actorId'] = form.actor.includes('@')
        ? ((await this.userId(signedIn, form.actor)) ?? form.actor)
        : form.actor;
    }
    for (const key of ['since', 'until'] as const) {
      if (!form[key]) continue;
      const ms = Date.parse(`${form[key]}${form[key].length === 16 ? ':00' : ''}Z`);
      if (Number.isFinite(ms)) filter[key] = new Date(ms).toISOString();
      else
        problems.push({
          field: key,
          message: `${key === 'since' ? 'From' : 'Until'}: enter a date and time (UTC).`,
        });
    }
    const cursor = str(query['cursor']);
    if (cursor) filter['cursor'] = cursor;
    const [page, resources] = await Promise.all([
      problems.length
        ? Promise.resolve({ items: [], nextCursor: null })
        : this.api.auditLog(signedIn, filter),
      this.api.resources(signedIn, { limit: 1000 }),
    ]);
    const resourceName = new Map(resources.items.map((r) => [r.id, r.name]));
    const people = await this.names(
      signedIn,
      page.items.flatMap((e) => [e.actorId, e.userId]).filter((x): x is string => !!x),
    );
    const nextQuery = new URLSearchParams(
      Object.entries({ ...form, cursor: page.nextCursor ?? '' }).filter(([, v]) => v !== ''),
    );
    const errors = Object.fromEntries(problems.map((p) => [p.field, p.message]));
    await this.pages.send(
      res,
      signedIn,
      'audit-log',
      'audit-log',
      {
        title: 'Audit log',
        form: { ...form, since: form.since, until: form.until },
        categories: CATEGORIES.map((c) => ({ ...c, selected: c.value === form.category })),
        resources: resources.items.map((r) => ({
          id: r.id,
          name: r.name,
          selected: r.id === form.resourceId,
        })),
        problem: problems.length ? { message: problems.map((p) => p.message).join(' ') } : null,
        errors,
        filtered: Object.values(form).some((v) => v !== ''),
        entries: page.items.map((e) => ({
          id: e.id,
          at: formatTime(e.at),
          atIso: e.at,
          category: e.category,
          action: e.action,
          actor: e.actorId ? (people.get(e.actorId) ?? e.actorId) : 'system',
          entity:
            `${e.entityType} ${e.resourceId ? (resourceName.get(e.resourceId) ?? '') : ''}`.trim(),
          resourceId: e.resourceId,
          resourceName: e.resourceId ? (resourceName.get(e.resourceId) ?? e.resourceId) : null,
          userId: e.userId,
          userName: e.userId ? (people.get(e.userId) ?? e.userId) : null,
          diff: auditDiff(e.before, e.after),
        })),
        next: page.nextCursor ? `/audit-log?${nextQuery}` : null,
        first: cursor
          ? `/audit-log?${new URLSearchParams(Object.entries(form).filter(([, v]) => v !== ''))}`
          : null,
        nowUtc: utcInputValue(new Date().toISOString()),
      },
      problems.length ? 400 : 200,
    );
  }

  /** A user's id from an email or an id; null when there is no such user. */
  private async userId(signedIn: SignedIn, emailOrId: string): Promise<string | null> {
    if (UUID.test(emailOrId)) return emailOrId.toLowerCase();
    const u = await this.api.userByEmail(signedIn, emailOrId).catch(() => null);
    return u?.id ?? null;
  }

  /** Names of the users among `ids` (other actors, like `scim`, keep their id). */
  private async names(signedIn: SignedIn, ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    await Promise.all(
      [...new Set(ids)]
        .filter((id) => UUID.test(id))
        .map(async (id) => {
          const u = await this.api.user(signedIn, id).catch(() => null);
          if (u) out.set(id, `${u.name} (${u.email})`);
        }),
    );
    return out;
  }
}
