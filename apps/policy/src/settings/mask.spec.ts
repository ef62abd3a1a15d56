import { maskSecret, maskSettings } from './mask';

describe('maskSecret', () => {
  it('never returns the secret in full', () => {
    expect(maskSecret('a-very-long-webhook-secret-1234')).toBe('••••1234');
    expect(maskSecret('short')).toBe('••••');
    expect(
      maskSettings({
        emailEnabled: true,
        emailRoles: [],
        optedOutUserIds: [],
        webhook: { url: 'https://x', secret: 'abcdefghijklmnop' },
      }).webhook,
    ).toEqual({
      url: 'https://x',
      secret: '••••mnop',
    });
  });
});
