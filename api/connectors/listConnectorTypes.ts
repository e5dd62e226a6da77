import { z } from 'zod';
import { connectorRegistry } from '../../connectors/registry';
import { type ConnectorDefinition } from '../../connectors/types';
import { defineRoute } from '../http/route';
import { pageOf, pagination } from '../http/pagination';

const streamSchema = z.object({
  name: z.string(),
  primaryKey: z.string(),
  cursorField: z.string(),
  supportsDeletes: z.boolean(),
  writable: z.boolean(),
  description: z.string().optional(),
});

const connectorTypeSchema = z.object({
  type: z.string(),
  displayName: z.string(),
  streams: z.array(streamSchema).describe('Default streams (some types derive more from their config)'),
  urlFields: z.array(z.string()).describe('Config fields the SSRF guard checks'),
  configSchema: z.record(z.string(), z.unknown()).describe('JSON Schema (draft 2020-12) of `config`'),
  credentialsSchema: z.record(z.string(), z.unknown()).describe('JSON Schema (draft 2020-12) of `credentials`'),
});

function toTypeView(definition: ConnectorDefinition): z.infer<typeof connectorTypeSchema> {
  let streams: z.infer<typeof streamSchema>[] = [];
  try {
    streams = definition.streams({} as never);
  } catch {
    streams = [];
  }
  return {
    type: definition.type,
    displayName: definition.displayName,
    streams,
    urlFields: [...definition.urlFields],
    configSchema: z.toJSONSchema(definition.configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    credentialsSchema: z.toJSONSchema(definition.credentialsSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
  };
}

let cached: Array<z.infer<typeof connectorTypeSchema>> | undefined;

export const listConnectorTypes = defineRoute({
  method: 'get',
  path: '/v1/connector-types',
  auth: 'tenant',
  summary: 'Every connector type with its streams and the JSON Schemas of its config and credentials',
  tags: ['connectors'],
  responses: { 200: { description: 'All connector types', schema: pageOf(connectorTypeSchema) } },
  async handler() {
    cached ??= Object.values(connectorRegistry)
      .map(toTypeView)
      .sort((a, b) => a.type.localeCompare(b.type));
    return { status: 200, body: { data: cached, pagination: pagination(1, Math.max(cached.length, 1), cached.length) } };
  },
});
