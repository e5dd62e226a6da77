import { HUB_SEARCH_ATTRIBUTE_NAMES, devServerSearchAttributeFlags, hubSearchAttributes } from '../../platform/temporal/searchAttributes';
import { ConnectorId, ConnectorType, JobKind, TenantId, TenantSlug } from '../../workflows/contracts';

describe('search attributes', () => {
  it('the keys workflows upsert are the Keyword attributes starts set and the worker registers', () => {
    const workflowSide = [TenantId, TenantSlug, JobKind, ConnectorType, ConnectorId].map((key) => [key.name, key.type]).sort();
    const platformSide = HUB_SEARCH_ATTRIBUTE_NAMES.map((name) => [hubSearchAttributes[name].name, hubSearchAttributes[name].type]).sort();
    expect(workflowSide).toEqual(platformSide);
    expect(platformSide).toEqual(['ConnectorId', 'ConnectorType', 'JobKind', 'TenantId', 'TenantSlug'].map((name) => [name, 'KEYWORD']));
  });

  it('registers each on the dev server as Keyword', () => {
    expect(devServerSearchAttributeFlags()).toEqual(HUB_SEARCH_ATTRIBUTE_NAMES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]));
  });
});
