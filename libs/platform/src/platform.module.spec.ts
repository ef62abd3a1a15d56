import { isQuiet } from './platform.module';

describe('isQuiet', () => {
  it('matches a prefix at a path boundary, ignoring the query', () => {
    expect(isQuiet('/v1/decisions?userId=a', ['/v1/decisions'])).toBe(true);
    expect(isQuiet('/v1/decisions/x', ['/v1/decisions'])).toBe(true);
    expect(isQuiet('/v1/decisionsX', ['/v1/decisions'])).toBe(false);
    expect(isQuiet('/v1/users', ['/v1/decisions'])).toBe(false);
  });
});
