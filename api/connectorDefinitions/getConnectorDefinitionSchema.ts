import { z } from 'zod';
import { connectorDefinitionSchema } from '../../connectors/declarative/definitionSchema';
import { defineRoute } from '../http/route';

let cached: Record<string, unknown> | undefined;

export const getConnectorDefinitionSchema = defineRoute({
  method: 'get',
  path: '/v1/connector-definitions/schema',
  auth: 'tenant',
  summary: 'The JSON Schema (draft 2020-12) of a connector definition document',
  tags: ['connector-definitions'],
  responses: { 200: { description: 'JSON Schema of the definition document', schema: z.record(z.string(), z.unknown()) } },
  async handler() {
    cached ??= {
      $id: 'https://integration-hub.local/schemas/connector-definition.json',
      title: 'Connector definition',
      ...(z.toJSONSchema(connectorDefinitionSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>),
    };
    return { status: 200, body: cached };
  },
});
