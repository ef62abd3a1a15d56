import { checkUsageEvent, usageEventSchema } from './events';

describe('checkUsageEvent (usageEventSchema without zod)', () => {
  const ok = {
    userId: '3b1f8c2e-5d4a-4e6b-9c7d-8e9f0a1b2c3d',
    resourceId: 'a7c6e5d4-b3a2-4190-8f7e-6d5c4b3a2910',
    occurredAt: '2026-01-01T00:00:00.000Z',
    proxyId: 'edge-1',
  };
  const ids = [
    ok.userId,
    ok.userId.toUpperCase(),
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '3b1f8c2e-5d4a-0e6b-9c7d-8e9f0a1b2c3d', // version 0
    '3b1f8c2e-5d4a-9e6b-9c7d-8e9f0a1b2c3d', // version 9
    '3b1f8c2e-5d4a-4e6b-7c7d-8e9f0a1b2c3d', // variant 0
    '3b1f8c2e-5d4a-8e6b-Bc7d-8e9f0a1b2c3d', // version 8, variant B
    '3b1f8c2e-5d4a-1e6b-cc7d-8e9f0a1b2c3d', // variant c
    '3b1f8c2e-5d4a-4e6b-9c7d-8e9f0a1b2c3', // 35 characters
    '3b1f8c2e-5d4a-4e6b-9c7d-8e9f0a1b2c3d0',
    '3b1f8c2e_5d4a-4e6b-9c7d-8e9f0a1b2c3d',
    '3b1f8c2e5d4a4e6b9c7d8e9f0a1b2c3d',
    `{${ok.userId}}`,
    `${ok.userId}\u0000`,
    ` ${ok.userId}`,
    '3b1f8c2e-5d4a-4e6b-9c7d-8e9f0a1b2c3g',
    '',
    'u1',
    42,
    null,
  ];
  const times = [
    ok.occurredAt,
    '2026-01-01T00:00:00Z',
    '2026-01-01T00:00Z',
    '2026-01-01T00:00:00.123456789Z',
    '2026-01-01T13:59:00+02:00',
    '2026-01-01T13:59:00-23:59',
    '2026-01-01T13:59:00+24:00',
    '2026-01-01T13:59:00+0200',
    '2026-01-01T24:00:00Z',
    '2024-02-29T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-01 00:00:00Z',
    '2026-01-01T00:00:00',
    '2026-01-01',
    '1999-12-31T23:59:59.999Z',
    '2000-01-01T00:00:00Z',
    '2000-01-01T00:30:00+01:00', // 1999 in UTC
    '2199-12-31T23:59:59.999Z',
    '2199-12-31T23:00:00-02:00', // 2200 in UTC
    '2200-01-01T00:00:00Z',
    'yesterday',
    '',
    1767225600000,
    null,
  ];
  const proxies = [
    undefined,
    'edge-1',
    '',
    'p'.repeat(200),
    'p'.repeat(201),
    'émoji 🙂 ok',
    'edge\u00001',
    'edge\n1',
    'edge\t1',
    'edge\u007f1',
    null,
    7,
  ];
  const values: unknown[] = [
    ...ids.map((userId) => ({ ...ok, userId })),
    ...ids.map((resourceId) => ({ ...ok, resourceId })),
    ...times.map((occurredAt) => ({ ...ok, occurredAt })),
    ...proxies.map((proxyId) => {
      const v: Record<string, unknown> = { ...ok };
      if (proxyId === undefined) delete v.proxyId;
      else v.proxyId = proxyId;
      return v;
    }),
    { ...ok, extra: { nested: [1, 2] } },
    { resourceId: ok.resourceId, occurredAt: ok.occurredAt },
    { userId: ok.userId, occurredAt: ok.occurredAt },
    { userId: ok.userId, resourceId: ok.resourceId },
    [ok.userId, ok.resourceId, ok.occurredAt],
    null,
    'text',
    12,
    true,
  ];

  it('never accepts what the schema refuses, and agrees on what it accepts', () => {
    for (const value of values) {
      const fast = checkUsageEvent(value);
      const schema = usageEventSchema.safeParse(value);
      if (fast) {
        expect({ value, schema: schema.success }).toEqual({ value, schema: true });
        if (schema.success)
          expect(fast).toEqual({
            userId: schema.data.userId,
            resourceId: schema.data.resourceId,
            at: Date.parse(schema.data.occurredAt),
          });
      }
    }
  });

  it('accepts the usual forms, so the schema is left for the unusual ones', () => {
    const usual = [
      ok,
      { ...ok, proxyId: undefined },
      { ...ok, userId: ok.userId.toUpperCase() },
      { ...ok, occurredAt: '2026-01-01T13:59:00+02:00' },
      { ...ok, occurredAt: '2026-01-01T00:00:00Z' },
    ];
    for (const value of usual)
      expect({ value, fast: checkUsageEvent(value) }).toMatchObject({ value, fast: {} });
    // Of the values the schema accepts in the table above, only the nil and max UUIDs are left
    // to it.
    const special = [
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
    ];
    const leftToSchema = values.filter(
      (v) => usageEventSchema.safeParse(v).success && checkUsageEvent(v) === undefined,
    );
    expect(leftToSchema).toEqual([
      { ...ok, userId: special[0] },
      { ...ok, userId: special[1] },
      { ...ok, resourceId: special[0] },
      { ...ok, resourceId: special[1] },
    ]);
  });
});
