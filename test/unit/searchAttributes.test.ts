import { HUB_SEARCH_ATTRIBUTE_NAMES, devServerSearchAttributeFlags, hubSearchAttributes } from '../../platform/temporal/searchAttributes';
import * as workflowKeys from '../../workflows/searchAttributes';

describe('search attributes', () => {
  it('workflow code and platform code declare the same Keyword attributes', () => {
    const workflowSide = Object.values(workflowKeys).map((key) => [key.name, key.type]).sort();
    const platformSide = HUB_SEARCH_ATTRIBUTE_NAMES.map((name) => [hubSearchAttributes[name].name, hubSearchAttributes[name].type]).sort();
    expect(workflowSide).toEqual(platformSide);
    expect(platformSide.map(([name]) => name)).toEqual(['ConnectorId', 'ConnectorType', 'JobKind', 'TenantId', 'TenantSlug']);
  });

  it('registers each on the dev server as Keyword', () => {
    expect(devServerSearchAttributeFlags()).toEqual(HUB_SEARCH_ATTRIBUTE_NAMES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]));
  });
});
