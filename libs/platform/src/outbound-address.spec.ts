import {
  OutboundRefused,
  isInternalAddress,
  parseAllowHosts,
  resolveOutbound,
} from './outbound-address';

describe('isInternalAddress', () => {
  it.each([
    '127.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    'not-an-ip',
  ])('%s is internal', (a) => expect(isInternalAddress(a)).toBe(true));

  it.each(['8.8.8.8', '203.0.114.7', '2606:4700::1111', '172.32.0.1'])('%s is public', (a) =>
    expect(isInternalAddress(a)).toBe(false),
  );
});

describe('resolveOutbound', () => {
  const dns = (answers: Record<string, string[]>) => async (host: string) => {
    const a = answers[host];
    if (!a) throw new Error('ENOTFOUND');
    return a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

  it('returns the checked address to connect to', async () => {
    await expect(
      resolveOutbound('https://hooks.example/x', [], dns({ 'hooks.example': ['203.0.114.7'] })),
    ).resolves.toEqual({ address: '203.0.114.7', family: 4 });
  });

  it('refuses a name with any internal address (DNS rebinding answers both)', async () => {
    await expect(
      resolveOutbound(
        'https://rebind.example/x',
        [],
        dns({ 'rebind.example': ['203.0.114.7', '169.254.169.254'] }),
      ),
    ).rejects.toThrow(/169\.254\.169\.254/);
  });

  it('refuses non-http(s), credentials and names that do not resolve', async () => {
    await expect(resolveOutbound('file:///etc/passwd', [])).rejects.toThrow(OutboundRefused);
    await expect(resolveOutbound('http://u:p@203.0.114.7/', [])).rejects.toThrow(/credentials/);
    await expect(resolveOutbound('https://nowhere.example/', [], dns({}))).rejects.toThrow(
      /does not resolve/,
    );
  });

  it('lets allow-listed hosts or addresses be internal', async () => {
    const allow = parseAllowHosts(' 127.0.0.1 , Hooks.Internal ');
    expect(allow).toEqual(['127.0.0.1', 'hooks.internal']);
    await expect(resolveOutbound('http://127.0.0.1:8080/', allow)).resolves.toEqual({
      address: '127.0.0.1',
      family: 4,
    });
    await expect(
      resolveOutbound('http://hooks.internal/', allow, dns({ 'hooks.internal': ['10.1.1.1'] })),
    ).resolves.toEqual({ address: '10.1.1.1', family: 4 });
    await expect(resolveOutbound('http://127.0.0.2/', allow)).rejects.toThrow(OutboundRefused);
  });
});
