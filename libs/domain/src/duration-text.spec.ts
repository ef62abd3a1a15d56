import { formatDuration } from './duration-text';

describe('formatDuration', () => {
  it.each([
    [0, '0 seconds'],
    [1, '1 second'],
    [61, '61 seconds'],
    [90, '90 seconds'],
    [120, '2 minutes'],
    [3600, '1 hour'],
    [5400, '1 hour 30 minutes'],
    [8 * 3600, '8 hours'],
    [86400, '1 day'],
    [30 * 86400, '30 days'],
    [86400 + 6 * 3600, '1 day 6 hours'],
  ])('%d s → %s', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });
});
