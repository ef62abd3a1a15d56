import { z } from 'zod';
import {
  bool,
  canonicalKeys,
  compact,
  isObject,
  requiredText,
  text,
  type AttributeShape,
} from './scim-attributes';
import { USER_SCHEMA } from './scim-schemas';
import { ScimError } from './scim.errors';

const USER_SHAPE: AttributeShape = {
  userName: true,
  name: {
    formatted: true,
    familyName: true,
    givenName: true,
    middleName: true,
    honorificPrefix: true,
    honorificSuffix: true,
  },
  displayName: true,
  emails: { value: true, type: true, primary: true },
  active: true,
  groups: { value: true, $ref: true, display: true },
};

export interface ScimName {
  formatted?: string;
  familyName?: string;
  givenName?: string;
  middleName?: string;
  honorificPrefix?: string;
  honorificSuffix?: string;
}
export interface ScimEmail {
  value: string;
  type?: string;
  primary?: boolean;
}

/** What the identity provider said about a user, kept as it said it (answered back on GET). */
export interface ScimProfile {
  name?: ScimName;
  displayName?: string;
  emails?: ScimEmail[];
  /** Absent: the identity provider says nothing (the user stays as they are). */
  active?: boolean;
}

/** A SCIM User as Lapse takes it: the SCIM attributes, and the Lapse user's email and name from them. */
export interface ScimUserInput {
  userName: string;
  externalId: string | null;
  profile: ScimProfile;
  /** The Lapse user's email: the primary email, else the first, else userName when it is an address. */
  email: string;
  /** The Lapse user's name: displayName, name.formatted, given + family names, or userName. */
  lapseName: string;
}

const isEmail = (s: string) => z.email().safeParse(s).success;

function parseName(value: unknown): ScimName | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw ScimError.invalidValue('name', 'must be an object');
  const name: ScimName = compact({
    formatted: text('name.formatted', value.formatted, { max: 400 }),
    familyName: text('name.familyName', value.familyName, { max: 200 }),
    givenName: text('name.givenName', value.givenName, { max: 200 }),
    middleName: text('name.middleName', value.middleName, { max: 200 }),
    honorificPrefix: text('name.honorificPrefix', value.honorificPrefix, { max: 100 }),
    honorificSuffix: text('name.honorificSuffix', value.honorificSuffix, { max: 100 }),
  });
  return Object.keys(name).length > 0 ? name : undefined;
}

function parseEmails(value: unknown): ScimEmail[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw ScimError.invalidValue('emails', 'must be an array');
  if (value.length > 20) throw ScimError.invalidValue('emails', 'at most 20 addresses');
  const emails = value.map((e, i): ScimEmail => {
    if (!isObject(e)) throw ScimError.invalidValue(`emails[${i}]`, 'must be an object');
    const address = requiredText(`emails[${i}].value`, e.value, { max: 320 }).trim();
    if (!isEmail(address))
      throw ScimError.invalidValue(`emails[${i}].value`, 'must be an email address');
    return compact({
      value: address,
      type: text(`emails[${i}].type`, e.type, { max: 50 }),
      primary: bool(`emails[${i}].primary`, e.primary),
    });
  });
  if (emails.filter((e) => e.primary).length > 1)
    throw ScimError.invalidValue('emails', 'at most one may be primary');
  return emails.length > 0 ? emails : undefined;
}

/**
 * Validates a SCIM User (POST, PUT, or the result of a PATCH) into what Lapse keeps. Attribute
 * names are matched case-insensitively; read-only attributes (`id`, `groups`, `meta`) and
 * attributes Lapse does not keep are ignored. A 400 names the attribute at fault.
 */
export function parseScimUser(body: unknown): ScimUserInput {
  if (!isObject(body)) throw ScimError.invalidSyntax('body: must be a SCIM User object');
  const u = canonicalKeys(body, USER_SHAPE);
  const userName = requiredText('userName', u.userName, { max: 320 }).trim();
  const externalId = text('externalId', u.externalId, { max: 512 }) ?? null;
  const profile: ScimProfile = compact({
    name: parseName(u.name),
    displayName: text('displayName', u.displayName, { max: 200 }),
    emails: parseEmails(u.emails),
    active: bool('active', u.active),
  });
  const emails = profile.emails ?? [];
  const email =
    (emails.find((e) => e.primary) ?? emails[0])?.value ??
    (isEmail(userName) ? userName : undefined);
  if (!email)
    throw ScimError.invalidValue(
      'emails',
      'Lapse needs an email address for every user (an emails value, or a userName that is an address)',
    );
  return { userName, externalId, profile, email, lapseName: lapseNameOf(profile, userName) };
}

export function lapseNameOf(profile: ScimProfile, userName: string): string {
  const parts = [profile.name?.givenName, profile.name?.familyName].filter(
    (p): p is string => !!p?.trim(),
  );
  const name =
    profile.displayName?.trim() ||
    profile.name?.formatted?.trim() ||
    (parts.length > 0 ? parts.join(' ') : undefined) ||
    userName;
  return name.slice(0, 200);
}

/** A Lapse user as stored, with what the SCIM answer needs. */
export interface ScimUserRecord {
  id: string;
  email: string;
  name: string;
  active: boolean;
  externalId: string | null;
  userName: string | null;
  profile: ScimProfile | null;
  groups: { id: string; name: string }[];
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The SCIM User for a Lapse user. Users the identity provider never touched show their Lapse
 * email as userName and emails, their name as displayName. `active` is false whenever the user
 * is offboarded (whoever did it), true otherwise — absent while the identity provider has
 * removed it from an active user.
 */
export function renderScimUser(r: ScimUserRecord, base: string): Record<string, unknown> {
  const p = r.profile;
  // The value is always Lapse's (a refused offboarding leaves the user active); the provider
  // decides only whether the attribute is present (absent after it removed it).
  const active = !r.active ? false : p && p.active === undefined ? undefined : true;
  return compact({
    schemas: [USER_SCHEMA],
    id: r.id,
    externalId: r.externalId ?? undefined,
    userName: r.userName ?? r.email,
    name: p?.name,
    displayName: p ? p.displayName : r.name,
    emails: p ? p.emails : [{ value: r.email, primary: true }],
    active,
    groups:
      r.groups.length > 0
        ? r.groups.map((g) => ({ value: g.id, $ref: `${base}/Groups/${g.id}`, display: g.name }))
        : undefined,
    meta: {
      resourceType: 'User',
      created: r.createdAt.toISOString(),
      lastModified: r.updatedAt.toISOString(),
      location: `${base}/Users/${r.id}`,
    },
  });
}
