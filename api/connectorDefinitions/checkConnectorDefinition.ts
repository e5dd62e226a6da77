import { z } from 'zod';
import { compileDefinition } from '../../connectors/declarative/compileDefinition';
import { validateDefinition } from '../../connectors/declarative/parseDefinition';
import { inferJsonSchema } from '../../connectors/declarative/inferSchema';
import { ConnectorError } from '../../connectors/errors';
import { createConnectorNetwork } from '../../connectors/network';
import { type ConnectorContext } from '../../connectors/types';
import { definitionType } from '../../connectors/connectorTypes';
import { assertConfigUrlsAllowed, networkPolicyFor, parseWith } from '../connectors/connectorInput';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { refused } from './definitionBody';
import { definitionIdParams, type DefinitionRow, type DefinitionVersionRow } from './definitionView';

const SAMPLE_RECORDS = 10;
const CHECK_PAGE_SIZE = 50;

const streamCheckSchema = z.object({
  ok: z.boolean(),
  sampleRecords: z.array(z.record(z.string(), z.unknown())).describe(`At most ${SAMPLE_RECORDS} records of the first page, as they would be stored`),
  recordsOnPage: z.number().int(),
  schema: z.record(z.string(), z.unknown()).describe('JSON Schema inferred from the first page'),
  nextCursor: z.string().nullable(),
  done: z.boolean(),
  error: z.object({ kind: z.string(), code: z.string().nullable(), message: z.string() }).nullable(),
});

export const checkConnectorDefinition = defineRoute({
  method: 'post',
  path: '/v1/connector-definitions/:id/check',
  auth: 'tenant',
  summary:
    'Try a definition version with a config and credentials: the first page of each stream (samples, inferred JSON Schema, next cursor); nothing is stored',
  tags: ['connector-definitions'],
  params: definitionIdParams,
  body: z.strictObject({
    version: z.number().int().min(1).optional().describe('Default: the latest'),
    config: z.record(z.string(), z.unknown()).default({}),
    credentials: z.record(z.string(), z.unknown()).default({}).describe('Used for this check only; never stored'),
    streams: z.array(z.string().max(64)).min(1).max(100).optional().describe('Default: every stream'),
  }),
  responses: {
    200: {
      description: 'One entry per stream; a stream the system refused has ok: false and the classified error',
      schema: z.object({ type: z.string(), streams: z.record(z.string(), streamCheckSchema) }),
    },
    400: { description: 'Invalid config or credentials (details name the field), or a URL the SSRF guard refuses (URL_NOT_ALLOWED)' },
    404: { description: 'No such definition (or version) in this tenant' },
  },
  async handler({ deps, params, body, principal }) {
    const { tenantId } = principal;
    const found = await deps.db.withTenant(tenantId, async (trx) => {
      const row = (await trx('connector_definitions').where({ id: params.id }).first()) as DefinitionRow | undefined;
      if (!row) return undefined;
      const version = (await trx('connector_definition_versions')
        .where({ definition_id: row.id, version: body.version ?? row.latest_version })
        .first()) as DefinitionVersionRow | undefined;
      return version ? { row, version } : undefined;
    });
    if (!found) throw errors.notFound('Connector definition');
    const parsed = validateDefinition(found.version.document);
    if (!parsed.ok) throw refused(parsed.faults);
    const type = definitionType(found.row.name, found.version.version);
    const definition = compileDefinition(parsed.definition, type);
    const config = parseWith(definition.configSchema, body.config, 'body.config') as Record<string, unknown>;
    let credentials = parseWith(definition.credentialsSchema, body.credentials, 'body.credentials') as Record<string, unknown>;
    const policy = await networkPolicyFor(deps, tenantId);
    await assertConfigUrlsAllowed(definition, config, policy);
    const network = createConnectorNetwork(policy, {
      maxResponseBytes: deps.config.CONNECTOR_MAX_RESPONSE_BYTES,
      maxLineBytes: deps.config.CONNECTOR_MAX_LINE_BYTES,
    });
    const context: ConnectorContext<Record<string, unknown>, Record<string, unknown>> = {
      tenantId,
      connectorId: `check:${params.id}`,
      config,
      credentials,
      // The check's credentials live for this request only.
      updateCredentials: async (next) => {
        credentials = next;
      },
      loadCredentials: async () => credentials,
      withConnectorLock: (_key, fn) => fn(),
      network,
      logger: deps.logger.child({ tenantId, connectorDefinition: type }),
    };
    const instance = definition.create(context);
    const wanted = body.streams ?? parsed.definition.streams.map((stream) => stream.name);
    const streams: Record<string, z.infer<typeof streamCheckSchema>> = {};
    for (const name of wanted) {
      try {
        const page = await instance.readPage(name, null, CHECK_PAGE_SIZE);
        const samples = page.records.slice(0, SAMPLE_RECORDS).map((record) => record.data);
        streams[name] = {
          ok: true,
          sampleRecords: samples,
          recordsOnPage: page.records.length,
          schema: inferJsonSchema(page.records.map((record) => record.data)),
          nextCursor: page.nextCursor,
          done: page.done,
          error: null,
        };
      } catch (error) {
        if (!(error instanceof ConnectorError)) throw error;
        streams[name] = {
          ok: false,
          sampleRecords: [],
          recordsOnPage: 0,
          schema: {},
          nextCursor: null,
          done: false,
          error: { kind: error.kind, code: error.code === undefined ? null : String(error.code), message: error.message },
        };
      }
    }
    await instance.close?.();
    return { status: 200, body: { type, streams } };
  },
});
