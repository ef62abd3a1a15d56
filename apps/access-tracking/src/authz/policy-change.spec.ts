import { parsePolicyChange } from './policy-mirror';

const event = (entityType: string, entityId: string) =>
  Buffer.from(
    JSON.stringify({
      id: 'c1',
      kind: `${entityType}.updated`,
      entityType,
      entityId,
      actorId: null,
      at: '2026-11-30T12:00:00.000Z',
      before: null,
      after: null,
    }),
  );

describe('parsePolicyChange (what the forward-auth mirror applies, rule 15)', () => {
  it('takes a user or resource change named by a UUID', () => {
    const r = parsePolicyChange(event('user', '0b8f1f5e-8f0a-4c1e-9a43-2f2d1f0e7a11'));
    expect(r).toMatchObject({ ok: true, value: { entityType: 'user' } });
  });

  it('refuses a user or resource named by anything else, naming the field', () => {
    expect(parsePolicyChange(event('resource', 'db-1'))).toMatchObject({
      ok: false,
      error: 'entityId: must be a UUID',
    });
  });

  it('lets other entities pass whatever their id (not the mirror’s concern)', () => {
    expect(parsePolicyChange(event('scim-token', 'scim-token')).ok).toBe(true);
  });

  it('refuses what is not JSON', () => {
    expect(parsePolicyChange(Buffer.from('{"kind":'))).toMatchObject({ ok: false });
  });
});
