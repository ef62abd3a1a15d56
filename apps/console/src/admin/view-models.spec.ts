import { parseExpiry, utcInputValue, stateView } from './view-models';

describe('admin view models', () => {
  const now = Date.parse('2026-01-10T09:30:00Z');

  it('reads an expiry typed as UTC; empty is none; the past or nonsense is invalid', () => {
    expect(parseExpiry('2026-02-01T12:00', now)).toBe('2026-02-01T12:00:00.000Z');
    expect(parseExpiry('', now)).toBeNull();
    expect(parseExpiry('2026-01-01T00:00', now)).toBe('INVALID');
    expect(parseExpiry('tomorrow', now)).toBe('INVALID');
  });

  it('writes a time back for the input, in UTC', () => {
    expect(utcInputValue('2026-02-01T12:00:00.000Z')).toBe('2026-02-01T12:00');
    expect(utcInputValue(null)).toBe('');
  });

  it('labels grant states, and a grant not yet set up', () => {
    expect(stateView('LOCKED')).toEqual({ label: 'Locked', cls: 'state-locked', code: 'LOCKED' });
    expect(stateView(null).code).toBe('SYNCING');
  });
});
