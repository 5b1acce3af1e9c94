// CIDR lists for TRUSTED_PROXIES: parsed once at start (a bad entry stops the process), matched per
// request. Pure: node:net's BlockList does the address arithmetic, no I/O.
import { BlockList, isIP } from 'node:net';

export interface CidrList {
  /** Whether `address` (an IPv4 or IPv6 literal, IPv4-mapped IPv6 included) lies in one of the ranges. */
  has(address: string): boolean;
  /** The ranges as given, normalized to `address/prefix`. */
  readonly ranges: readonly string[];
}

/** `::ffff:203.0.113.9` (an IPv4 client on a dual-stack socket) is `203.0.113.9`. */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim().replace(/^\[(.*)\]$/, '$1');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped ? mapped[1]! : trimmed;
}

/** Parses `10.0.0.0/8, 192.168.1.7, ::1/128`; a bare address is a single-host range. Throws on a bad entry. */
export function parseCidrList(text: string): CidrList {
  const list = new BlockList();
  const ranges: string[] = [];
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [address = '', prefixText, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (family === 0 || extra !== undefined || !/^\d{1,3}$/.test(prefixText ?? String(max)) || prefix > max) {
      throw new TypeError(`not an IP address or CIDR range: ${entry}`);
    }
    list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
    ranges.push(`${address}/${prefix}`);
  }
  return {
    ranges,
    has(candidate) {
      const address = normalizeAddress(candidate);
      const family = isIP(address);
      if (family === 0) return false;
      return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
