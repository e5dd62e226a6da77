import { type Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { HUB_SEARCH_ATTRIBUTE_NAMES } from './searchAttributes';

/**
 * Registers any of the hub's search attributes the namespace lacks (self-hosted clusters; Temporal
 * Cloud namespaces are configured in its console, where this call is refused and reported).
 * Returns the names it added.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
  const missing = HUB_SEARCH_ATTRIBUTE_NAMES.filter((name) => !known.has(name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  return missing;
}
