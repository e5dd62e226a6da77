import fs from 'node:fs';
import path from 'node:path';
import { compileDefinition } from '../declarative/compileDefinition';
import { validateDefinition } from '../declarative/parseDefinition';
import { type ConnectorDefinitionDocument } from '../declarative/definitionSchema';
import { type ConnectorDefinition } from '../types';

/**
 * Platform-wide definitions shipped with the hub: every `*.json` here, validated like a tenant's
 * and registered as a connector type named after the definition (`sage-accounting`). A shipped
 * definition that does not validate stops the process at start, naming the fault.
 */
function loadShipped(): { documents: Record<string, ConnectorDefinitionDocument>; types: Record<string, ConnectorDefinition> } {
  const documents: Record<string, ConnectorDefinitionDocument> = {};
  const types: Record<string, ConnectorDefinition> = {};
  for (const file of fs
    .readdirSync(__dirname)
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    const parsed = validateDefinition(JSON.parse(fs.readFileSync(path.join(__dirname, file), 'utf8')));
    if (!parsed.ok) throw new Error(`connectors/definitions/${file}: ${parsed.faults.map((fault) => `${fault.pointer}: ${fault.message}`).join('; ')}`);
    documents[parsed.definition.name] = parsed.definition;
    types[parsed.definition.name] = compileDefinition(parsed.definition, parsed.definition.name);
  }
  return { documents, types };
}

const shipped = loadShipped();

/** Shipped definition documents by name. */
export const shippedDefinitionDocuments: Readonly<Record<string, ConnectorDefinitionDocument>> = shipped.documents;
/** Shipped definitions as connector types by name. */
export const shippedConnectorTypes: Readonly<Record<string, ConnectorDefinition>> = shipped.types;
