import ipaddr from 'ipaddr.js';
import { type Knex } from 'knex';
import { type HubConfig } from '../config';
import { type NetworkPolicy } from './guardedNetwork';

/** One private range a tenant may reach, as the platform admin granted it. */
export interface NetworkAllowance {
  cidr: string;
  note: string | null;
  createdAt: Date;
}

/** Ranges no allowance may touch: link-local (cloud metadata 169.254.169.254) and "this host". */
const NEVER_ALLOWED = ['169.254.0.0/16', 'fe80::/10', '0.0.0.0/8', '::/128'];
/** Loopback: the hub's own machine, allowed to a tenant only outside production (local peers). */
const LOOPBACK = ['127.0.0.0/8', '::1/128'];
/** Shortest prefix an allowance may have: no "allow half the internet" by a typo. */
const MIN_PREFIX = { ipv4: 8, ipv6: 8 } as const;

/** `10.1.2.3/16` → `10.1.0.0/16`: the form allowances are stored and compared in. */
export function normaliseCidr(cidr: string): string {
  const [address, bits] = ipaddr.parseCIDR(cidr.trim());
  const network = address.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr.trim()) : ipaddr.IPv6.networkAddressFromCIDR(cidr.trim());
  return `${network.toString()}/${bits}`;
}

function overlaps(a: string, b: string): boolean {
  const [left, leftBits] = ipaddr.parseCIDR(a);
  const [right, rightBits] = ipaddr.parseCIDR(b);
  if (left.kind() !== right.kind()) return false;
  return left.match([right, rightBits] as never) || right.match([left, leftBits] as never);
}

/**
 * Why `cidr` may not be granted (undefined: it may). Link-local and unspecified ranges never,
 * loopback only outside production, and no prefix shorter than /8.
 */
export function allowanceProblem(cidr: string, production: boolean): string | undefined {
  const [address, bits] = ipaddr.parseCIDR(cidr);
  if (bits < MIN_PREFIX[address.kind()]) return `a prefix shorter than /${MIN_PREFIX[address.kind()]} is too broad`;
  const forbidden = [...NEVER_ALLOWED, ...(production ? LOOPBACK : [])].find((range) => overlaps(cidr, range));
  if (forbidden) return `overlaps ${forbidden}, which tenant connections may never reach${production ? ' in production' : ''}`;
  return undefined;
}

/** The tenant's allowances, oldest first (inside the caller's tenant transaction: RLS applies). */
export async function listNetworkAllowances(trx: Knex | Knex.Transaction, tenantId: string): Promise<NetworkAllowance[]> {
  const rows = (await trx('tenant_network_allowances')
    .where({ tenant_id: tenantId })
    .orderBy([{ column: 'created_at' }, { column: 'cidr' }])
    .select('cidr', 'note', 'created_at')) as Array<{ cidr: string; note: string | null; created_at: Date }>;
  return rows.map((row) => ({ cidr: row.cidr, note: row.note, createdAt: row.created_at }));
}

/** Just the ranges, for the SSRF policy. */
export async function allowedCidrsOf(trx: Knex | Knex.Transaction, tenantId: string): Promise<string[]> {
  return (await trx('tenant_network_allowances').where({ tenant_id: tenantId }).orderBy('cidr').pluck('cidr')) as string[];
}

/**
 * The SSRF policy for one tenant's connections: the process switches (HUB_ALLOW_PRIVATE_NETWORK,
 * HUB_ALLOW_INSECURE_HTTP and HUB_NETWORK_ALLOWLIST, all development-only) plus the ranges the
 * platform admin granted this tenant, and no other tenant's.
 */
export function tenantNetworkPolicy(
  config: Pick<HubConfig, 'HUB_ALLOW_PRIVATE_NETWORK' | 'HUB_NETWORK_ALLOWLIST'> & Partial<Pick<HubConfig, 'HUB_ALLOW_INSECURE_HTTP'>>,
  tenantCidrs: readonly string[],
): NetworkPolicy {
  return {
    allowPrivateNetwork: config.HUB_ALLOW_PRIVATE_NETWORK,
    allowInsecureHttp: config.HUB_ALLOW_PRIVATE_NETWORK || (config.HUB_ALLOW_INSECURE_HTTP ?? false),
    allowedCidrs: [...config.HUB_NETWORK_ALLOWLIST, ...tenantCidrs],
  };
}
