import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The hub's custom search attributes (all Keyword). Ops filter the Temporal UI by them, e.g.
 * `TenantSlug="acme" AND JobKind="sync" AND ExecutionStatus="Failed"`.
 * workflows/searchAttributes.ts declares the same keys for workflow code (which may not import
 * platform/); a unit test keeps the two lists equal.
 */
export const HUB_SEARCH_ATTRIBUTE_NAMES = ['TenantId', 'TenantSlug', 'JobKind', 'ConnectorType', 'ConnectorId'] as const;

export type HubSearchAttributeName = (typeof HUB_SEARCH_ATTRIBUTE_NAMES)[number];

/** Typed keys for `typedSearchAttributes` when the client starts a workflow. */
export const hubSearchAttributes = Object.fromEntries(
  HUB_SEARCH_ATTRIBUTE_NAMES.map((name) => [name, defineSearchAttributeKey(name, SearchAttributeType.KEYWORD)]),
) as Record<HubSearchAttributeName, ReturnType<typeof defineSearchAttributeKey<typeof SearchAttributeType.KEYWORD>>>;

/** `--search-attribute` flags for `temporal server start-dev`. */
export function devServerSearchAttributeFlags(): string[] {
  return HUB_SEARCH_ATTRIBUTE_NAMES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]);
}

/** Search-attribute pairs for a workflow start, skipping absent values. */
export function searchAttributePairs(values: Partial<Record<HubSearchAttributeName, string>>) {
  return HUB_SEARCH_ATTRIBUTE_NAMES.filter((name) => values[name] !== undefined).map((name) => ({
    key: hubSearchAttributes[name],
    value: values[name] as string,
  }));
}
