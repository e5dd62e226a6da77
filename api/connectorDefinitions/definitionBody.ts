import { type Request } from 'express';
import { MAX_DEFINITION_BYTES, parseDefinitionText, type DefinitionFault } from '../../connectors/declarative/parseDefinition';
import { type ConnectorDefinitionDocument } from '../../connectors/declarative/definitionSchema';
import { ApiError } from '../errors';

/** Content types a definition may be posted as. */
export const DEFINITION_CONTENT_TYPES = ['application/json', 'application/yaml'];
const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml']);
/** Past this much a hostile upload is not read further (the answer goes out at once). */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/**
 * Reads and validates a posted definition. The body is read here (not by the JSON parser) so
 * that an oversized document is a 400 with a pointer like every other refusal; at most
 * MAX_DEFINITION_BYTES are kept. Refusals answer 400 with `details: [{path: <JSON pointer>, message}]`.
 */
export async function readDefinitionBody(req: Request): Promise<ConnectorDefinitionDocument> {
  const contentType = String(req.headers['content-type'] ?? 'application/json')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  const yaml = YAML_TYPES.has(contentType);
  if (!yaml && contentType !== 'application/json') {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `Send the definition as application/json or application/yaml, not ${contentType}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_DEFINITION_BYTES + 1) chunks.push(chunk as Buffer);
    if (size > DRAIN_LIMIT) break;
  }
  if (size > MAX_DEFINITION_BYTES) {
    throw refused([{ pointer: '', message: `the document is larger than ${MAX_DEFINITION_BYTES} bytes`, code: 'DEFINITION_TOO_LARGE' }]);
  }
  const parsed = parseDefinitionText(Buffer.concat(chunks).toString('utf8'), yaml ? 'yaml' : 'json');
  if (!parsed.ok) throw refused(parsed.faults);
  return parsed.definition;
}

/** 400 naming each fault by its JSON pointer. */
export function refused(faults: DefinitionFault[]): ApiError {
  const first = faults[0]!;
  return new ApiError(
    400,
    first.code,
    `The connector definition is refused at ${first.pointer || '(the document)'}: ${first.message}`,
    faults.map((fault) => ({ path: fault.pointer, pointer: fault.pointer, message: fault.message, code: fault.code })),
  );
}
