import { REPORT_COLUMNS, csvField, csvLine, reportLine } from './csv';

describe('csv', () => {
  it('quotes commas, quotes and newlines; neutralises formulas', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField(null)).toBe('');
    expect(csvLine(['x', 1, true])).toBe('x,1,true\r\n');
  });

  it('a report line resolves the policy and tells locked users and admin unlocks', () => {
    const line = reportLine({
      resource_id: 'r',
      resource_name: 'Git, Lab',
      resource_policy: {
        autoLock: { durationSeconds: 2592000, approval: 'MANUAL' },
        accessRequests: null,
      },
      group_id: 'g',
      group_name: 'SRE',
      override: { autoLock: { durationSeconds: 604800, approval: 'AUTOMATIC' } },
      expires_at: new Date('2030-01-01T00:00:00Z'),
      user_id: 'u',
      user_email: 'a@x.io',
      user_name: 'A',
      state: 'LOCKED',
      last_admin_unlock_at: new Date('2025-01-01T00:00:00Z'),
    });
    expect(line.trimEnd().split(',').length).toBe(REPORT_COLUMNS.length + 1); // the quoted comma in the name
    expect(line).toBe(
      'r,"Git, Lab",g,SRE,PARTIAL_OVERRIDE,604800,AUTOMATIC,OFF,,,2030-01-01T00:00:00.000Z,u,a@x.io,A,LOCKED,true,2025-01-01T00:00:00.000Z\r\n',
    );
  });
});
