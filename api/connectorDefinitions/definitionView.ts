import { z } from 'zod';
import { type ConnectorDefinitionDocument } from '../../connectors/declarative/definitionSchema';
import { definitionType } from '../../connectors/connectorTypes';

/** A tenant's connector definition as the API shows it: the version asked for (default the latest) and the list of versions. */
export const connectorDefinitionViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  displayName: z.string(),
  version: z.number().int().describe('The version shown'),
  latestVersion: z.number().int(),
  type: z.string().describe('The connector type of the version shown (`<name>@<version>`): POST /v1/connectors {type}'),
  versions: z.array(z.object({ version: z.number().int(), type: z.string(), createdAt: z.iso.datetime() })),
  streams: z.array(z.string()),
  document: z.record(z.string(), z.unknown()).describe('The definition document of the version shown'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ConnectorDefinitionView = z.infer<typeof connectorDefinitionViewSchema>;

export interface DefinitionRow {
  id: string;
  tenant_id: string;
  name: string;
  latest_version: number;
  created_at: Date;
  updated_at: Date;
}

export interface DefinitionVersionRow {
  id: string;
  definition_id: string;
  version: number;
  document: ConnectorDefinitionDocument;
  created_at: Date;
}

export function toDefinitionView(
  row: DefinitionRow,
  shown: DefinitionVersionRow,
  versions: Array<Pick<DefinitionVersionRow, 'version' | 'created_at'>>,
): ConnectorDefinitionView {
  return {
    id: row.id,
    name: row.name,
    displayName: shown.document.displayName,
    version: shown.version,
    latestVersion: row.latest_version,
    type: definitionType(row.name, shown.version),
    versions: versions.map((version) => ({
      version: version.version,
      type: definitionType(row.name, version.version),
      createdAt: version.created_at.toISOString(),
    })),
    streams: shown.document.streams.map((stream) => stream.name),
    document: shown.document as unknown as Record<string, unknown>,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const definitionIdParams = z.strictObject({ id: z.uuid() });
