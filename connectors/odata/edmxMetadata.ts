import { XMLParser } from 'fast-xml-parser';
import { ConfigError } from '../errors';

/** What the connector needs to know about one entity set, from `$metadata`. */
export interface EntitySetInfo {
  name: string;
  entityType: string;
  /** Key property names, in key order. */
  keys: string[];
  /** Property name → EDM type (`Edm.Int32`, `Edm.DateTimeOffset`, …). */
  properties: Map<string, string>;
}

export interface ServiceMetadata {
  entitySets: Map<string, EntitySetInfo>;
}

type XmlNode = Record<string, unknown>;

const ARRAY_ELEMENTS = new Set(['Schema', 'EntityType', 'EntityContainer', 'EntitySet', 'Property', 'PropertyRef', 'NavigationProperty', 'Key']);

/**
 * Reads the entity sets of an OData v4 CSDL/EDMX document (`$metadata`) with fast-xml-parser:
 * entity container(s) → entity sets → their entity types (resolved through schema namespaces and
 * aliases, following `BaseType` for keys and inherited properties).
 */
export function parseEdmx(xml: string): ServiceMetadata {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    removeNSPrefix: true,
    processEntities: false,
    isArray: (name) => ARRAY_ELEMENTS.has(name),
  });
  let document: XmlNode;
  try {
    document = parser.parse(xml) as XmlNode;
  } catch (error) {
    throw new ConfigError(`odata: $metadata is not valid XML (${(error as Error).message})`, 'BAD_METADATA');
  }
  const dataServices = ((document.Edmx as XmlNode | undefined)?.DataServices ?? {}) as XmlNode;
  const schemas = (dataServices.Schema ?? []) as XmlNode[];
  if (!schemas.length) throw new ConfigError('odata: $metadata has no Schema (is serviceUrl an OData v4 service root?)', 'BAD_METADATA');

  const types = new Map<string, XmlNode>();
  for (const schema of schemas) {
    const prefixes = [schema.Namespace, schema.Alias].filter((value): value is string => typeof value === 'string');
    for (const entityType of (schema.EntityType ?? []) as XmlNode[]) {
      for (const prefix of prefixes) types.set(`${prefix}.${String(entityType.Name)}`, entityType);
    }
  }

  const entitySets = new Map<string, EntitySetInfo>();
  for (const schema of schemas) {
    for (const container of (schema.EntityContainer ?? []) as XmlNode[]) {
      for (const set of (container.EntitySet ?? []) as XmlNode[]) {
        const typeName = String(set.EntityType);
        const { keys, properties } = describeType(typeName, types, 0);
        entitySets.set(String(set.Name), { name: String(set.Name), entityType: typeName, keys, properties });
      }
    }
  }
  return { entitySets };
}

function describeType(typeName: string, types: Map<string, XmlNode>, depth: number): { keys: string[]; properties: Map<string, string> } {
  const entityType = types.get(typeName);
  if (!entityType || depth > 10) return { keys: [], properties: new Map() };
  const inherited =
    typeof entityType.BaseType === 'string' ? describeType(entityType.BaseType, types, depth + 1) : { keys: [], properties: new Map<string, string>() };
  const properties = new Map(inherited.properties);
  for (const property of (entityType.Property ?? []) as XmlNode[]) properties.set(String(property.Name), String(property.Type));
  const ownKeys = ((entityType.Key as XmlNode[] | undefined)?.[0]?.PropertyRef as XmlNode[] | undefined)?.map((ref) => String(ref.Name)) ?? [];
  return { keys: ownKeys.length ? ownKeys : inherited.keys, properties };
}
