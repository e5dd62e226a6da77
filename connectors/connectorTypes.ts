import { type Knex } from 'knex';
import { compileDefinition } from './declarative/compileDefinition';
import { validateDefinition } from './declarative/parseDefinition';
import { findConnector } from './registry';
import { type ConnectorDefinition } from './types';
import { type Database, type TenantTransaction } from '../platform/db';

/**
 * Connector types as a tenant sees them: the registry's (built-in and shipped definitions) and
 * the tenant's own declarative definitions, named `<name>@<version>`. Versions are immutable, so
 * a compiled version is cached by its row id (a definition deleted and created again gets new ids).
 */

/** `acme-crm@3` → name and version; undefined for a registry type. */
export function parseDefinitionType(type: string): { name: string; version: number } | undefined {
  const match = /^([a-z][a-z0-9-]{1,47})@([1-9]\d{0,8})$/.exec(type);
  return match ? { name: match[1]!, version: Number(match[2]) } : undefined;
}

export function definitionType(name: string, version: number): string {
  return `${name}@${version}`;
}

const compiled = new Map<string, ConnectorDefinition>();
/** The tenant-scoped last resolution of a type, for synchronous readers (connector views). */
const resolvedByTenant = new Map<string, ConnectorDefinition>();
const MAX_CACHED = 5_000;

interface VersionRow {
  id: string;
  document: unknown;
}

function versionQuery(knex: Knex | TenantTransaction, name: string, version: number, withDocument: boolean) {
  return knex('connector_definition_versions as v')
    .join('connector_definitions as d', 'd.id', 'v.definition_id')
    .where({ 'd.name': name, 'v.version': version })
    .select(withDocument ? ['v.id', 'v.document'] : ['v.id'])
    .limit(1);
}

function compile(row: VersionRow, type: string): ConnectorDefinition | undefined {
  const cached = compiled.get(row.id);
  if (cached) return cached;
  const parsed = validateDefinition(row.document);
  if (!parsed.ok) return undefined;
  const definition = compileDefinition(parsed.definition, type);
  if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value!);
  compiled.set(row.id, definition);
  return definition;
}

function remember(tenantId: string, type: string, definition: ConnectorDefinition | undefined): ConnectorDefinition | undefined {
  if (definition) {
    if (resolvedByTenant.size >= MAX_CACHED) resolvedByTenant.delete(resolvedByTenant.keys().next().value!);
    resolvedByTenant.set(`${tenantId}:${type}`, definition);
  }
  return definition;
}

/** The connector type `type` inside a tenant transaction (RLS scopes the definitions to the tenant). */
export async function resolveConnectorType(trx: TenantTransaction, tenantId: string, type: string): Promise<ConnectorDefinition | undefined> {
  const builtIn = findConnector(type);
  if (builtIn) return builtIn;
  const parsed = parseDefinitionType(type);
  if (!parsed) return undefined;
  const [head] = (await versionQuery(trx, parsed.name, parsed.version, false)) as Array<{ id: string }>;
  if (!head) return undefined;
  const cached = compiled.get(head.id);
  if (cached) return remember(tenantId, type, cached);
  const [row] = (await versionQuery(trx, parsed.name, parsed.version, true)) as VersionRow[];
  return remember(tenantId, type, row ? compile(row, type) : undefined);
}

/** The same outside a transaction (one read as the tenant). */
export async function resolveConnectorTypeAsTenant(db: Database, tenantId: string, type: string): Promise<ConnectorDefinition | undefined> {
  const builtIn = findConnector(type);
  if (builtIn) return builtIn;
  const parsed = parseDefinitionType(type);
  if (!parsed) return undefined;
  const [row] = await db.readAsTenant<VersionRow>(tenantId, versionQuery(db.knex, parsed.name, parsed.version, true));
  return remember(tenantId, type, row ? compile(row, type) : undefined);
}

/** Resolves every distinct type of `rows` so {@link knownConnectorType} answers for them. */
export async function resolveConnectorTypesAsTenant(db: Database, tenantId: string, types: readonly string[]): Promise<void> {
  for (const type of new Set(types)) {
    if (!findConnector(type) && !resolvedByTenant.has(`${tenantId}:${type}`)) await resolveConnectorTypeAsTenant(db, tenantId, type);
  }
}

/** The registry type, or the tenant's definition type resolved earlier in this process. */
export function knownConnectorType(tenantId: string, type: string): ConnectorDefinition | undefined {
  return findConnector(type) ?? resolvedByTenant.get(`${tenantId}:${type}`);
}
