/** An IPv4 range as written and as AWS will apply it. */
export interface Ipv4Cidr {
  /** The network address and prefix, e.g. `10.1.2.0/24`: what AWS applies. */
  readonly canonical: string;
  /** The address as written, e.g. `10.1.2.3`. */
  readonly address: string;
  readonly bits: number;
  /** The written address has bits set below the prefix (`10.1.2.3/24`), so AWS would widen or refuse it. */
  readonly hostBitsSet: boolean;
  /** The range admits every IPv4 address. */
  readonly anywhere: boolean;
}

/** Parses `a.b.c.d/n` (a bare address is /32); null when it is not an IPv4 CIDR. Pure: no I/O. */
export function parseIpv4Cidr(value: string): Ipv4Cidr | null {
  const withMask = value.includes('/') ? value : `${value}/32`;
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(withMask);
  if (!match) return null;
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((o) => o > 255) || bits > 32) return null;
  const address = octets.reduce((acc, o) => ((acc << 8) | o) >>> 0, 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const network = (address & mask) >>> 0;
  const dotted = (n: number): string => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
  return { canonical: `${dotted(network)}/${bits}`, address: dotted(address), bits, hostBitsSet: network !== address, anywhere: bits === 0 };
}

/** Whether a CIDR (IPv4 or IPv6) admits every address: `0.0.0.0/0`, `::/0`. */
export function isAnywhereCidr(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed.includes(':')) return /\/0$/.test(trimmed);
  return parseIpv4Cidr(trimmed)?.anywhere ?? false;
}

/** Whether an IPv4 range admits an address (`10.0.0.0/8` admits `10.1.2.3`). */
export function cidrAdmits(cidr: string, address: string): boolean {
  const range = parseIpv4Cidr(cidr.trim());
  const host = parseIpv4Cidr(address.trim());
  if (!range || !host) return false;
  return parseIpv4Cidr(`${host.address}/${range.bits}`)?.canonical === range.canonical;
}
