import { checkWebhookUrl, isForbiddenAddress, resolveDeliveryAddress, type Lookup } from '../../src/webhooks/url-policy';

const production = { production: true, allowPrivate: false };
const development = { production: false, allowPrivate: true };

/** A resolver that answers from a table, as DNS would, so the check can be seen without a network. */
const answering = (table: Record<string, string[]>): Lookup => async (hostname) => {
  const addresses = table[hostname];
  if (addresses === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('webhook addresses', () => {
  test.each([
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['::1', /loopback/],
    ['0:0:0:0:0:0:0:1', /loopback/],
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['::', /unspecified/],
    ['10.0.0.1', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['fc00::1', /private/],
    ['fd12:3456:789a::1', /private/],
    ['FD00::1', /private/],
    ['169.254.0.1', /link-local/],
    ['169.254.169.254', /metadata/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['febf::1', /link-local/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['ff02::1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['::ffff:127.0.0.1', /loopback address \(IPv4-mapped as 127\.0\.0\.1\)/],
    ['::ffff:7f00:1', /loopback address \(IPv4-mapped as 127\.0\.0\.1\)/],
    ['0:0:0:0:0:FFFF:0A00:0001', /private address \(IPv4-mapped as 10\.0\.0\.1\)/],
    ['::ffff:169.254.169.254', /metadata/],
    ['::ffff:100.64.0.1', /carrier-grade NAT/],
    ['::ffff:0.0.0.0', /unspecified/],
    ['64:ff9b::10.0.0.1', /private address \(NAT64 as 10\.0\.0\.1\)/],
    ['::127.0.0.1', /reserved/],
    ['localhost', /not an IP address/],
    ['', /not an IP address/],
  ])('%s is refused (%s)', (ip, why) => {
    expect(isForbiddenAddress(ip)).toMatch(why);
  });

  test.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '172.15.255.255', // just below 172.16/12
    '172.32.0.1', // just above it
    '100.63.255.255', // just below 100.64/10
    '100.128.0.1', // just above it
    '169.253.255.255',
    '11.0.0.1',
    '223.255.255.255',
    '2001:4860:4860::8888',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
  ])('%s is public', (ip) => {
    expect(isForbiddenAddress(ip)).toBeUndefined();
  });
});

describe('webhook URLs', () => {
  test('an https URL is accepted and returned parsed', () => {
    const result = checkWebhookUrl('https://merchant.example/hooks/payouts?source=acme', production);
    expect(result).toEqual({ ok: true, url: new URL('https://merchant.example/hooks/payouts?source=acme') });
  });

  test('http is refused in production and accepted elsewhere; other schemes nowhere', () => {
    expect(checkWebhookUrl('http://merchant.example/hooks', production)).toEqual({ ok: false, reason: 'webhook URLs must use https' });
    expect(checkWebhookUrl('http://merchant.example/hooks', { production: false, allowPrivate: false }).ok).toBe(true);
    for (const url of ['ftp://merchant.example/', 'file:///etc/passwd', 'gopher://merchant.example/', 'javascript:alert(1)', 'data:text/plain,hi']) {
      expect(checkWebhookUrl(url, development)).toEqual({ ok: false, reason: 'only http and https URLs can receive webhooks' });
    }
  });

  test('credentials, fragments, relative URLs and very long URLs are refused', () => {
    expect(checkWebhookUrl('https://user:pass@merchant.example/', production)).toMatchObject({ ok: false, reason: expect.stringMatching(/user name or password/) });
    expect(checkWebhookUrl('https://user@merchant.example/', production)).toMatchObject({ ok: false, reason: expect.stringMatching(/user name or password/) });
    expect(checkWebhookUrl('https://merchant.example/hooks#top', production)).toMatchObject({ ok: false, reason: expect.stringMatching(/fragment/) });
    expect(checkWebhookUrl('https://merchant.example/hooks#', production)).toMatchObject({ ok: false, reason: expect.stringMatching(/fragment/) });
    expect(checkWebhookUrl('/hooks', production)).toEqual({ ok: false, reason: 'not an absolute URL' });
    expect(checkWebhookUrl('merchant.example/hooks', production)).toEqual({ ok: false, reason: 'not an absolute URL' });
    expect(checkWebhookUrl(`https://merchant.example/${'a'.repeat(2100)}`, production)).toMatchObject({ ok: false, reason: expect.stringMatching(/longer than 2048/) });
  });

  test('a literal forbidden address or a loopback name is refused already, in every spelling', () => {
    for (const url of [
      'https://127.0.0.1/',
      'https://2130706433/', // 127.0.0.1 as one number
      'https://0x7f.1/',
      'https://[::1]:8443/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::ffff:a9fe:a9fe]/latest/meta-data/',
      'https://169.254.169.254/latest/meta-data/',
      'https://10.1.2.3/',
      'https://0.0.0.0/',
      'https://localhost/',
      'https://LOCALHOST./',
      'https://api.localhost/',
    ]) {
      expect(checkWebhookUrl(url, production)).toMatchObject({ ok: false });
    }
    expect(checkWebhookUrl('https://[fe80::1]/', production)).toEqual({ ok: false, reason: 'fe80::1 is a link-local address' });
  });

  test('allowPrivate lets loopback and private addresses through (development, tests)', () => {
    for (const url of ['http://127.0.0.1:4010/hooks', 'http://localhost:3000/hooks', 'http://[::1]/', 'http://10.0.0.5/']) {
      expect(checkWebhookUrl(url, development)).toMatchObject({ ok: true });
    }
  });
});

describe('delivery addresses', () => {
  const publicOnly = { allowPrivate: false };

  test('a host whose every address is public resolves to its first one', async () => {
    const lookup = answering({ 'merchant.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'] });
    await expect(resolveDeliveryAddress(new URL('https://merchant.example/hooks'), publicOnly, lookup)).resolves.toEqual({ address: '93.184.216.34', family: 4 });
    const v6first = answering({ 'merchant.example': ['2606:2800:220:1:248:1893:25c8:1946', '93.184.216.34'] });
    await expect(resolveDeliveryAddress(new URL('https://merchant.example/hooks'), publicOnly, v6first)).resolves.toEqual({ address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 });
  });

  test('a host with one private address among public ones is refused, wherever it is in the answer', async () => {
    for (const addresses of [
      ['93.184.216.34', '10.0.0.7'],
      ['10.0.0.7', '93.184.216.34'],
      ['8.8.8.8', '2001:4860:4860::8888', '::ffff:169.254.169.254'],
      ['8.8.8.8', 'fd00::1'],
    ]) {
      const lookup = answering({ 'rebind.example': addresses });
      const result = await resolveDeliveryAddress(new URL('https://rebind.example/'), publicOnly, lookup);
      expect(result).toEqual({ refused: expect.stringMatching(/^rebind\.example resolves to \S+, (a private address|the link-local cloud metadata address)/) });
    }
  });

  test('with allowPrivate the private address is returned', async () => {
    const lookup = answering({ 'merchant.test': ['127.0.0.1', '8.8.8.8'] });
    await expect(resolveDeliveryAddress(new URL('http://merchant.test/'), { allowPrivate: true }, lookup)).resolves.toEqual({ address: '127.0.0.1', family: 4 });
  });

  test('a literal address is used as it is, without a lookup', async () => {
    const lookup: Lookup = () => Promise.reject(new Error('no lookup expected'));
    await expect(resolveDeliveryAddress(new URL('https://8.8.8.8/'), publicOnly, lookup)).resolves.toEqual({ address: '8.8.8.8', family: 4 });
    await expect(resolveDeliveryAddress(new URL('https://[2001:4860:4860::8888]/'), publicOnly, lookup)).resolves.toEqual({ address: '2001:4860:4860::8888', family: 6 });
    await expect(resolveDeliveryAddress(new URL('https://[::1]/'), publicOnly, lookup)).resolves.toEqual({ refused: '::1 is a loopback address' });
  });

  test('a name that does not resolve, or resolves to nothing, is refused', async () => {
    const lookup = answering({ 'empty.example': [] });
    await expect(resolveDeliveryAddress(new URL('https://gone.example/'), publicOnly, lookup)).resolves.toEqual({ refused: 'gone.example does not resolve (ENOTFOUND)' });
    await expect(resolveDeliveryAddress(new URL('https://empty.example/'), publicOnly, lookup)).resolves.toEqual({ refused: 'empty.example resolves to no address' });
  });

  test('with the real resolver, localhost is refused', async () => {
    const result = await resolveDeliveryAddress(new URL('http://localhost:3000/hooks'), publicOnly);
    expect(result).toEqual({ refused: expect.stringMatching(/^localhost resolves to (127\.0\.0\.1|::1), a loopback address$/) });
    await expect(resolveDeliveryAddress(new URL('http://localhost:3000/hooks'), { allowPrivate: true })).resolves.toMatchObject({ address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/) });
  });
});
