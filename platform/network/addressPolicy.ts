import ipaddr from 'ipaddr.js';

/**
 * True when `address` is a public unicast IP a tenant-configured connection may reach. Loopback,
 * private (RFC 1918, unique-local), link-local (incl. cloud metadata 169.254.169.254),
 * carrier-grade NAT, multicast, reserved, unspecified and translation prefixes (IPv4-mapped,
 * NAT64, 6to4, Teredo) are refused; IPv4-mapped IPv6 is judged by its IPv4 address.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

/** True when `host` is an IP literal (v4, or v6 with or without brackets). */
export function isIpLiteral(host: string): boolean {
  return ipaddr.isValid(stripBrackets(host));
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Host names that always mean "this machine or its cloud", whatever DNS says. */
export function isReservedHostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || name === 'metadata.google.internal' || name.endsWith('.internal') || name.endsWith('.local');
}

/** True when `address` lies in one of `cidrs` (IPv4-mapped IPv6 compared as IPv4). */
export function inCidrs(address: string, cidrs: readonly string[]): boolean {
  if (!ipaddr.isValid(address) || cidrs.length === 0) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return cidrs.some((cidr) => {
    const [range, bits] = ipaddr.parseCIDR(cidr);
    return range.kind() === parsed.kind() && parsed.match([range, bits] as never);
  });
}

/** True for a valid CIDR such as 10.1.0.0/16 or fd00::/8. */
export function isCidr(value: string): boolean {
  try {
    ipaddr.parseCIDR(value);
    return true;
  } catch {
    return false;
  }
}
