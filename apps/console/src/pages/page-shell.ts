import { Inject, Injectable } from '@nestjs/common';
import type { Role } from '@lapse/contracts';
import { CONSOLE_CONFIG } from '../config.token';
import type { ConsoleConfig } from '../config';
import type { SignedIn } from '../sessions/sessions.service';
import { UserApi } from '../services/user-api';
import { csrfKey, csrfTokenFor, isValidCsrf } from './csrf';
import { LapseError } from '@lapse/platform';

/** Roles that see the admin console (SUPPORT read-only). */
export const CONSOLE_ROLES: readonly Role[] = ['ADMIN', 'DEVOPS', 'SUPPORT', 'ACCESS_REVIEWER'];

/** The admin console's pages, in the order of the navigation. */
const CONSOLE_PAGES: readonly [string, string, string][] = [
  ['resources', 'Resources', 'default policies, groups with access, users’ grant states'],
  ['groups', 'Groups', 'members and the resources they reach'],
  ['users', 'Users', 'roles, grants, unlocks, offboarding'],
  ['audit-log', 'Audit log', 'every change, with before and after'],
  ['settings', 'Settings', 'notifications, webhook, SCIM token'],
];

/** The bell in the header: the open requests the user may see (rule 9). */
export interface Bell {
  count: number;
  label: string;
  current: boolean;
}

export interface NavLink {
  href: string;
  label: string;
  current: boolean;
  count?: number;
  hint?: string;
}

/**
 * What every page's layout needs: the signed-in user, the navigation for their roles, and the
 * CSRF token their forms carry (bound to the session cookie).
 */
@Injectable()
export class PageShell {
  private readonly csrfKey: string;

  constructor(
    private readonly api: UserApi,
    @Inject(CONSOLE_CONFIG) config: ConsoleConfig,
  ) {
    this.csrfKey = csrfKey(config.LAPSE_CSRF_SECRET, config.LAPSE_SESSION_SECRET);
  }

  /** The layout model for `signedIn` (none on the signed-out landing page). */
  async of(
    signedIn: SignedIn | undefined,
    current: string,
    opts: { openCount?: number } = {},
  ): Promise<{
    user: SignedIn['user'] | null;
    csrf: string;
    nav: { links: NavLink[] } | null;
    bell: Bell | null;
  }> {
    if (!signedIn) return { user: null, csrf: '', nav: null, bell: null };
    const review = await this.reviewSummary(signedIn, opts.openCount);
    return {
      user: signedIn.user,
      csrf: this.csrfFor(signedIn),
      nav: { links: this.links(signedIn, current, review) },
      bell: review.reviews
        ? {
            count: review.openCount,
            label:
              review.openCount === 1
                ? '1 open access request'
                : `${review.openCount} open access requests`,
            current: current === 'access-requests',
          }
        : null,
    };
  }

  csrfFor(signedIn: SignedIn): string {
    return csrfTokenFor(this.csrfKey, signedIn.token);
  }

  /** Refuses a form that does not carry this session's CSRF token (403 page). */
  checkCsrf(signedIn: SignedIn | undefined, body: Record<string, unknown> | undefined): void {
    if (!isValidCsrf(this.csrfKey, signedIn?.token, body?.['_csrf']))
      throw LapseError.forbidden(
        'The form expired or did not come from this site. Reload the page and try again.',
      );
  }

  /** Whether the user sees the admin console. */
  static hasConsoleRole(signedIn: SignedIn): boolean {
    return signedIn.user.roles.some((r) => CONSOLE_ROLES.includes(r));
  }

  /**
   * The navigation for the user's roles: the admin console's pages for a console role (SUPPORT and
   * ACCESS_REVIEWER read them), Access Requests for whoever reviews (a resource approver with no
   * console role sees only that).
   */
  private links(
    signedIn: SignedIn,
    current: string,
    review: { reviews: boolean; openCount: number },
  ): NavLink[] {
    const links: NavLink[] = [{ href: '/', label: 'Home', current: current === 'home' }];
    if (PageShell.hasConsoleRole(signedIn))
      for (const [key, label, hint] of CONSOLE_PAGES)
        links.push({ href: `/${key}`, label, current: current === key, hint });
    if (review.reviews)
      links.push({
        href: '/access-requests',
        label: 'Access Requests',
        current: current === 'access-requests',
        hint: 'review and decide requests for access',
      });
    return links;
  }

  /** Whether the user reviews requests (a reviewer role or a resource approver), and how many are open. */
  private async reviewSummary(
    signedIn: SignedIn,
    knownOpenCount?: number,
  ): Promise<{ reviews: boolean; openCount: number }> {
    const { count, reviewer } = await this.api.requests<{ count: number; reviewer?: boolean }>(
      signedIn,
      'GET',
      '/v1/access-requests/count?status=OPEN',
    );
    return { reviews: reviewer ?? count > 0, openCount: knownOpenCount ?? count };
  }
}
