/** What sign-in learns from the identity provider about the person. */
export interface IdentityClaims {
  subject: string;
  /** The email, only when the provider says it is verified (or LAPSE_OIDC_TRUST_EMAIL). */
  verifiedEmail: string | null;
  /** The claim matched against a user's `externalId` (LAPSE_OIDC_EXTERNAL_ID_CLAIM, default `sub`). */
  externalId: string | null;
}

/** Who signed in, from the ID token (and UserInfo) claims. */
export function identityOf(
  claims: Record<string, unknown>,
  opts: { externalIdClaim: string; trustUnverifiedEmail: boolean },
): IdentityClaims {
  const email = typeof claims['email'] === 'string' ? claims['email'].trim() : '';
  const verified =
    claims['email_verified'] === true ||
    claims['email_verified'] === 'true' ||
    (opts.trustUnverifiedEmail && claims['email_verified'] === undefined);
  const external = claims[opts.externalIdClaim];
  return {
    subject: String(claims['sub']),
    verifiedEmail: email !== '' && verified ? email : null,
    externalId: typeof external === 'string' && external !== '' ? external : null,
  };
}

/** A Lapse user as matching sees them. */
export interface MatchCandidate {
  id: string;
  email: string;
  active?: boolean;
  externalId?: string | null;
}

export type MatchOutcome<U> =
  | { kind: 'MATCHED'; user: U }
  | { kind: 'UNKNOWN' }
  | { kind: 'INACTIVE'; user: U };

/**
 * The Lapse user who signed in: the one whose `externalId` is the provider's id for them, else
 * the one with the verified email. Never a user whose `externalId` names someone else at the
 * provider (a re-used email address). Inactive (offboarded) users get no session.
 */
export function matchUser<U extends MatchCandidate>(
  identity: IdentityClaims,
  byExternalId: readonly U[],
  byEmail: readonly U[],
): MatchOutcome<U> {
  const exact = byExternalId.find((u) => u.externalId === identity.externalId);
  const emailMatch =
    identity.verifiedEmail === null
      ? undefined
      : byEmail.find(
          (u) =>
            u.email.toLowerCase() === identity.verifiedEmail?.toLowerCase() &&
            (!u.externalId || u.externalId === identity.externalId),
        );
  const user = exact ?? emailMatch;
  if (!user) return { kind: 'UNKNOWN' };
  if (user.active === false) return { kind: 'INACTIVE', user };
  return { kind: 'MATCHED', user };
}
