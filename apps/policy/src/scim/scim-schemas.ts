/**
 * What Lapse's SCIM server serves (RFC 7643 §5–§8): the User and Group schemas with exactly the
 * attributes Lapse keeps, the two resource types, and the service provider configuration.
 * Identity providers and the compliance checker read these to know what to send.
 */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** Largest page a list answers (`count` above it is capped). */
export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

interface Attribute {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'reference' | 'dateTime';
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  subAttributes?: Attribute[];
  referenceTypes?: string[];
  canonicalValues?: string[];
}

const attr = (name: string, description: string, more: Partial<Attribute> = {}): Attribute => ({
  name,
  type: 'string',
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...more,
});

export const USER_ATTRIBUTES: Attribute[] = [
  attr('userName', "The identity provider's unique name for the user; case-insensitive.", {
    required: true,
    uniqueness: 'server',
  }),
  attr('name', "The user's name, in parts.", {
    type: 'complex',
    subAttributes: [
      attr('formatted', 'The full name, formatted for display.'),
      attr('familyName', 'The family name.'),
      attr('givenName', 'The given name.'),
      attr('middleName', 'The middle name(s).'),
      attr('honorificPrefix', 'Honorific prefix, e.g. "Ms."'),
      attr('honorificSuffix', 'Honorific suffix, e.g. "III".'),
    ],
  }),
  attr(
    'displayName',
    'The name Lapse shows; else name.formatted, the given and family names, or userName.',
  ),
  attr(
    'emails',
    'Email addresses. Lapse needs one (the primary, else the first; else userName when it is an address): notifications and sign-in use it.',
    {
      type: 'complex',
      multiValued: true,
      required: true,
      subAttributes: [
        attr('value', 'The address.', { required: true }),
        attr('type', 'A label: "work", "home", "other".', {
          canonicalValues: ['work', 'home', 'other'],
        }),
        attr('primary', 'Whether this is the primary address.', { type: 'boolean' }),
      ],
    },
  ),
  attr(
    'active',
    'false offboards the user: every grant revoked, open requests cancelled, tokens and sessions refused. true (or removing the attribute) brings them back.',
    { type: 'boolean' },
  ),
  attr('groups', 'The groups the user belongs to (change them through Groups).', {
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [
      attr('value', 'The group id.', { mutability: 'readOnly' }),
      attr('$ref', 'The group URI.', {
        type: 'reference',
        referenceTypes: ['Group'],
        mutability: 'readOnly',
      }),
      attr('display', "The group's name.", { mutability: 'readOnly' }),
    ],
  }),
];

export const GROUP_ATTRIBUTES: Attribute[] = [
  attr('displayName', "The group's name.", { required: true }),
  attr('members', 'The users in the group (Lapse groups hold users only).', {
    type: 'complex',
    multiValued: true,
    subAttributes: [
      attr('value', 'The user id.', { mutability: 'immutable' }),
      attr('$ref', 'The user URI.', {
        type: 'reference',
        referenceTypes: ['User'],
        mutability: 'immutable',
      }),
      attr('type', 'The member type.', { mutability: 'immutable', canonicalValues: ['User'] }),
    ],
  }),
];

function schemaDoc(id: string, name: string, description: string, attributes: Attribute[]) {
  return {
    schemas: [SCHEMA_SCHEMA],
    id,
    name,
    description,
    attributes,
    meta: { resourceType: 'Schema', location: `/Schemas/${id}` },
  };
}

export const SCHEMAS = [
  schemaDoc(USER_SCHEMA, 'User', 'A Lapse user', USER_ATTRIBUTES),
  schemaDoc(GROUP_SCHEMA, 'Group', 'A Lapse group', GROUP_ATTRIBUTES),
];

export const RESOURCE_TYPES = [
  {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'A Lapse user',
    schema: USER_SCHEMA,
    meta: { resourceType: 'ResourceType', location: '/ResourceTypes/User' },
  },
  {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    description: 'A Lapse group',
    schema: GROUP_SCHEMA,
    meta: { resourceType: 'ResourceType', location: '/ResourceTypes/Group' },
  },
];

export const SERVICE_PROVIDER_CONFIG = {
  schemas: [SPC_SCHEMA],
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: MAX_PAGE },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: false },
  authenticationSchemes: [
    {
      type: 'oauthbearertoken',
      name: 'Bearer token',
      description:
        'The SCIM token an ADMIN creates with POST /v1/settings/scim-token, sent as "Authorization: Bearer <token>".',
      primary: true,
    },
  ],
  meta: { resourceType: 'ServiceProviderConfig', location: '/ServiceProviderConfig' },
};

/** Locations in the discovery documents are relative; answers make them absolute under `base`. */
export function withBase<T extends { meta: { location: string } }>(doc: T, base: string): T {
  return { ...doc, meta: { ...doc.meta, location: `${base}${doc.meta.location}` } };
}
