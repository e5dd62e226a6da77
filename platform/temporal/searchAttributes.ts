import { HUB_SEARCH_ATTRIBUTE_NAMES, hubSearchAttributes, type HubSearchAttributeName } from '../../workflows/contracts';

// The attributes themselves are Temporal contracts (workflows upsert them); this file adds what
// starts and the local dev server need.
export { HUB_SEARCH_ATTRIBUTE_NAMES, hubSearchAttributes, type HubSearchAttributeName };

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
