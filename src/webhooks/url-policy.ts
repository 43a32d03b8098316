// Where a webhook may be sent. A webhook URL is chosen by a merchant, and our worker makes the request
// from inside our network: without this policy, a URL could make it call our own services, the cloud
// metadata endpoint (169.254.169.254, which hands out credentials) or anything else only we can reach
// (server-side request forgery). Two checks, at two times:
//   checkWebhookUrl         when an endpoint is registered: the URL's syntax, and a literal address.
//   resolveDeliveryAddress  at every delivery: every address the name resolves to must be public, and
//                           the delivery connects to the returned address itself (keeping the name for
//                           the Host header and TLS), so a DNS answer that changes between the check
//                           and the connection (DNS rebinding) cannot lead it inside.
// allowPrivate turns the address checks off, for development and tests that deliver to localhost.
import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export type UrlPolicy = { production: boolean; allowPrivate: boolean };

/** Long enough for any real endpoint, short enough to keep out of every header and log line. */
const MAX_URL_LENGTH = 2048;

export function checkWebhookUrl(text: string, policy: UrlPolicy): { ok: true; url: URL } | { ok: false; reason: string } {
  if (text.length > MAX_URL_LENGTH) return { ok: false, reason: `the URL is longer than ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'not an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'only http and https URLs can receive webhooks' };
  // In production a webhook carries payout data and its signature must not be readable on the way.
  if (policy.production && url.protocol !== 'https:') return { ok: false, reason: 'webhook URLs must use https' };
  // Credentials in a URL end up in logs, and the signature is the authentication.
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'the URL must not contain a user name or password' };
  // A fragment is never sent, so one would only make two URLs look different that are the same.
  // (URL drops an empty "#", hence the test on the text.)
  if (text.includes('#')) return { ok: false, reason: 'the URL must not contain a fragment (#)' };
  if (!policy.allowPrivate) {
    const host = hostOf(url);
    if (isIP(host) !== 0) {
      const forbidden = isForbiddenAddress(host);
      if (forbidden !== undefined) return { ok: false, reason: `${host} is ${forbidden}` };
    } else if (host === 'localhost' || host.endsWith('.localhost')) {
      // Reserved for the loopback interface (RFC 6761): refused now rather than at the first delivery.
      return { ok: false, reason: `${host} is a loopback name` };
    }
  }
  return { ok: true, url };
}

/** The host as a name or a bare address: URL keeps an IPv6 address in brackets, and a trailing dot names the same host. */
function hostOf(url: URL): string {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/** Address ranges we never deliver to, each with why: the first that matches names the refusal. */
const RANGES: ReadonlyArray<{ why: string; v4?: string[]; v6?: string[] }> = [
  { why: 'an unspecified address (it means this host)', v4: ['0.0.0.0/8'], v6: ['::/128'] },
  { why: 'a loopback address', v4: ['127.0.0.0/8'], v6: ['::1/128'] },
  { why: 'the link-local cloud metadata address', v4: ['169.254.169.254/32'], v6: ['fd00:ec2::254/128'] },
  { why: 'a link-local address', v4: ['169.254.0.0/16'], v6: ['fe80::/10'] },
  { why: 'a private address', v4: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], v6: ['fc00::/7', 'fec0::/10'] },
  { why: 'a carrier-grade NAT address', v4: ['100.64.0.0/10'] },
  { why: 'a broadcast address', v4: ['255.255.255.255/32'] },
  { why: 'a multicast address', v4: ['224.0.0.0/4'], v6: ['ff00::/8'] },
  // Not routable on the internet, so a public endpoint never has one; inside a network they may mean anything.
  // (::/96 is the deprecated IPv4-compatible form, after :: and ::1 above.)
  { why: 'a reserved address', v4: ['240.0.0.0/4', '192.0.0.0/24', '198.18.0.0/15'], v6: ['::/96', '100::/64'] },
];

const BLOCKS = RANGES.map(({ why, v4 = [], v6 = [] }) => {
  const list = new BlockList();
  for (const cidr of v4) list.addSubnet(cidr.split('/')[0], Number(cidr.split('/')[1]), 'ipv4');
  for (const cidr of v6) list.addSubnet(cidr.split('/')[0], Number(cidr.split('/')[1]), 'ipv6');
  return { why, list };
});

/** IPv6 forms that carry an IPv4 address in their last 32 bits, and reach it. */
const EMBEDDING_V4: ReadonlyArray<{ form: string; prefix: RegExp }> = [
  { form: 'IPv4-mapped', prefix: /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/ },
  { form: 'NAT64', prefix: /^64:ff9b::([0-9a-f]{1,4}):([0-9a-f]{1,4})$/ },
];

/**
 * Why a delivery must not go to `ip`, or undefined when it may. Anything that is not an IP address is
 * refused too: the caller resolves names first.
 */
export function isForbiddenAddress(ip: string): string | undefined {
  // A zone ("fe80::1%eth0") is only meaningful on a link-local address; the address decides.
  const address = ip.includes('%') ? ip.slice(0, ip.indexOf('%')) : ip;
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  if (family === 6) {
    // The URL parser writes IPv6 in one canonical form (lower case, "::" compressed, a dotted IPv4 tail
    // as hex), so the forms that embed an IPv4 address can be recognised by their text.
    const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
    for (const { form, prefix } of EMBEDDING_V4) {
      const match = prefix.exec(canonical);
      if (match === null) continue;
      const [high, low] = [parseInt(match[1], 16), parseInt(match[2], 16)];
      const v4 = [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
      const why = isForbiddenAddress(v4);
      return why === undefined ? undefined : `${why} (${form} as ${v4})`;
    }
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return BLOCKS.find(({ list }) => list.check(address, type))?.why;
}

export type LookupAddress = { address: string; family: number };
export type Lookup = (hostname: string, options: { all: true; verbatim: true }) => Promise<LookupAddress[]>;

/**
 * The one address a delivery to `url` connects to, or why it must not be made. Every address the host
 * resolves to is checked, not only the one used: a name that also points inside is refused outright
 * rather than delivered to by luck of the order. The resolver's order is kept (it prefers what this
 * host can reach).
 */
export async function resolveDeliveryAddress(
  url: URL,
  policy: { allowPrivate: boolean },
  lookup: Lookup = dns.lookup,
): Promise<{ address: string; family: 4 | 6 } | { refused: string }> {
  const host = hostOf(url);
  let addresses: LookupAddress[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return { refused: `${host} does not resolve${typeof code === 'string' ? ` (${code})` : ''}` };
    }
  }
  if (addresses.length === 0) return { refused: `${host} resolves to no address` };
  for (const { address } of addresses) {
    if (isIP(address) === 0) return { refused: `${host} resolves to something that is not an IP address` };
    const why = policy.allowPrivate ? undefined : isForbiddenAddress(address);
    if (why !== undefined) return { refused: address === host ? `${host} is ${why}` : `${host} resolves to ${address}, ${why}` };
  }
  const [{ address }] = addresses;
  return { address, family: isIP(address) === 4 ? 4 : 6 };
}
