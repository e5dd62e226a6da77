import { z } from 'zod';
import { lookbackSecondsField } from '../lookback';
import { defineConnector, type ConnectorDefinition, type StreamDefinition } from '../types';
import { type ConnectorDefinitionDocument } from './definitionSchema';
import { DeclarativeConnector } from './engine';
import { configFieldsOf } from './expression';
import { jsonSchemaToZod } from './jsonSchemaSubset';

/**
 * Turns a validated definition document into a connector type the hub runs like a built-in one:
 * config and credentials zod schemas from the document's JSON Schemas (every config also takes
 * `cursorLookbackSeconds`), the streams, the URL fields the SSRF guard checks (config fields the
 * base URL and token URL start with), and instances of the declarative engine.
 */
export function compileDefinition(document: ConnectorDefinitionDocument, type: string): ConnectorDefinition {
  const declared = jsonSchemaToZod(document.config, '/config');
  const configSchema =
    declared instanceof z.ZodObject && !('cursorLookbackSeconds' in declared.shape)
      ? declared.extend({ cursorLookbackSeconds: lookbackSecondsField(0) })
      : declared;
  const credentialsSchema = jsonSchemaToZod(document.credentials, '/credentials');
  const urlTemplates = [document.baseUrl, ...('tokenUrl' in document.auth ? [document.auth.tokenUrl] : [])];
  // The config fields a URL starts with decide its host; the rendered URLs are checked again on every use.
  const urlFields = [...new Set(urlTemplates.flatMap((template) => (/^\{\{\s*config\./.test(template) ? configFieldsOf(template).slice(0, 1) : [])))];
  const streams: StreamDefinition[] = document.streams.map((stream) => ({
    name: stream.name,
    primaryKey: stream.primaryKey.replace(/^\//, ''),
    cursorField: stream.incremental?.cursorField.replace(/^\//, '') ?? '',
    supportsDeletes: Boolean(stream.deletes),
    writable: false,
    ...(stream.description ? { description: stream.description } : {}),
  }));
  return defineConnector({
    type,
    displayName: document.displayName,
    configSchema,
    credentialsSchema,
    streams: () => streams,
    urlFields,
    create: (context) => new DeclarativeConnector(document, context as never),
  });
}
