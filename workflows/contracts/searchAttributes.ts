import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The hub's custom search attributes (all Keyword). Ops filter the Temporal UI by them, e.g.
 * `TenantSlug="acme" AND JobKind="sync" AND ExecutionStatus="Failed"`. The worker registers them
 * at start (platform/temporal/registerSearchAttributes.ts); workflows upsert them by these keys.
 */
export const HUB_SEARCH_ATTRIBUTE_NAMES = ['TenantId', 'TenantSlug', 'JobKind', 'ConnectorType', 'ConnectorId'] as const;

export type HubSearchAttributeName = (typeof HUB_SEARCH_ATTRIBUTE_NAMES)[number];

export const TenantId = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);
export const TenantSlug = defineSearchAttributeKey('TenantSlug', SearchAttributeType.KEYWORD);
export const JobKind = defineSearchAttributeKey('JobKind', SearchAttributeType.KEYWORD);
export const ConnectorType = defineSearchAttributeKey('ConnectorType', SearchAttributeType.KEYWORD);
export const ConnectorId = defineSearchAttributeKey('ConnectorId', SearchAttributeType.KEYWORD);

/** Typed keys for `typedSearchAttributes`, by name. */
export const hubSearchAttributes = { TenantId, TenantSlug, JobKind, ConnectorType, ConnectorId } satisfies Record<HubSearchAttributeName, unknown>;

/** Temporal's own attribute on runs a Schedule started (read by scheduled monthly billing). */
export const ScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);
