import dns from 'node:dns/promises';
import { type z } from 'zod';
import { type ConnectorDefinition } from '../../connectors/types';
import { type Knex } from 'knex';
import { type HubConfig } from '../../platform/config';
import { resolveConnectorType, resolveConnectorTypeAsTenant } from '../../connectors/connectorTypes';
import { type Database, type TenantTransaction } from '../../platform/db';
import { addressAllowed, assertAllowedUrl, ForbiddenDestinationError, type NetworkPolicy } from '../../platform/network/guardedNetwork';
import { isReservedHostName, stripBrackets, isIpLiteral } from '../../platform/network/addressPolicy';
import { allowedCidrsOf, tenantNetworkPolicy } from '../../platform/network/tenantAllowances';
import { ApiError, errors, zodDetails } from '../errors';

/**
 * The connector type `type` (a registry type, or one of the tenant's definitions as `<name>@<version>`),
 * or 400 naming `body.type`. Pass the caller's transaction when in one.
 */
export async function connectorDefinition(deps: { db: Database }, tenantId: string, type: string, trx?: TenantTransaction): Promise<ConnectorDefinition> {
  const definition = trx ? await resolveConnectorType(trx, tenantId, type) : await resolveConnectorTypeAsTenant(deps.db, tenantId, type);
  if (!definition) throw errors.validation([{ path: 'body.type', message: `unknown connector type "${type}"`, code: 'invalid_value' }]);
  return definition;
}

/** Validates `value` with a connector schema; 400 naming the field (`body.config.instanceUrl`). */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, location: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw errors.validation(zodDetails(parsed.error, location));
  return parsed.data;
}

/**
 * The SSRF policy for one tenant's URLs: the process switches plus the private ranges the platform
 * admin granted this tenant (never another tenant's). Pass the caller's transaction when in one.
 */
export async function networkPolicyFor(deps: { config: HubConfig; db: Database }, tenantId: string, trx?: Knex.Transaction): Promise<NetworkPolicy> {
  const cidrs = trx
    ? await allowedCidrsOf(trx, tenantId)
    : (await deps.db.readAsTenant<{ cidr: string }>(tenantId, deps.db.knex('tenant_network_allowances').where({ tenant_id: tenantId }).select('cidr'))).map(
        (row) => row.cidr,
      );
  return tenantNetworkPolicy(deps.config, cidrs);
}

/**
 * The SSRF guard at registration: every URL field of the config must be https (http only with
 * HUB_ALLOW_PRIVATE_NETWORK), and its host must not be, or resolve to, a loopback, private,
 * link-local or metadata address outside the tenant's allowances. (Connections are checked again at connect time, after DNS.)
 * A refused URL answers 400 `URL_NOT_ALLOWED` naming the field.
 */
export async function assertConfigUrlsAllowed(definition: ConnectorDefinition, config: Record<string, unknown>, policy: NetworkPolicy): Promise<void> {
  for (const field of definition.urlFields) {
    const value = config[field];
    if (typeof value !== 'string') continue;
    const path = `body.config.${field}`;
    try {
      const url = assertAllowedUrl(value, policy);
      await assertResolvesToAllowed(url.hostname, policy);
    } catch (error) {
      if (error instanceof ForbiddenDestinationError) {
        throw new ApiError(400, 'URL_NOT_ALLOWED', `${path}: ${error.message}`, [{ path, message: error.message }]);
      }
      throw error;
    }
  }
}

/** Refuses a host name that resolves to a non-public address (unless the policy allows private networks). */
export async function assertResolvesToAllowed(hostname: string, policy: NetworkPolicy): Promise<void> {
  const host = stripBrackets(hostname);
  if (policy.allowPrivateNetwork || isIpLiteral(host) || isReservedHostName(host)) return;
  let addresses: Array<{ address: string }>;
  try {
    addresses = await dns.lookup(host, { all: true });
  } catch {
    return; // not resolvable now: the connect-time check decides when it is used
  }
  const forbidden = addresses.find((entry) => !addressAllowed(entry.address, policy));
  if (forbidden) throw new ForbiddenDestinationError(`${host} resolves to ${forbidden.address}, which is not a public address`);
}
