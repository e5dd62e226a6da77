import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search-attribute keys for workflow code (upserts, child workflows). The same names as
 * platform/temporal/searchAttributes.ts, which registers them; a unit test keeps them equal.
 */
export const TenantId = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);
export const TenantSlug = defineSearchAttributeKey('TenantSlug', SearchAttributeType.KEYWORD);
export const JobKind = defineSearchAttributeKey('JobKind', SearchAttributeType.KEYWORD);
export const ConnectorType = defineSearchAttributeKey('ConnectorType', SearchAttributeType.KEYWORD);
export const ConnectorId = defineSearchAttributeKey('ConnectorId', SearchAttributeType.KEYWORD);
