import { parse as parseYaml } from 'yaml';
import { type z } from 'zod';
import { connectorDefinitionSchema, type ConnectorDefinitionDocument } from './definitionSchema';
import { jsonSchemaToZod, SchemaFault } from './jsonSchemaSubset';
import { FORBIDDEN_KEYS, isPlainObject, pointerToken } from './safeAccess';

/** Largest definition document accepted (JSON or YAML text). */
export const MAX_DEFINITION_BYTES = 512 * 1024;
const MAX_DEPTH = 32;
const MAX_NODES = 50_000;

/** Why a definition is refused: a JSON pointer into the document and what is wrong there. */
export interface DefinitionFault {
  pointer: string;
  message: string;
  code: 'DEFINITION_TOO_LARGE' | 'DEFINITION_UNPARSABLE' | 'DEFINITION_HOSTILE' | 'DEFINITION_INVALID';
}

export type ParsedDefinition = { ok: true; definition: ConnectorDefinitionDocument } | { ok: false; faults: DefinitionFault[] };

/**
 * Reads a definition from its text (JSON, or YAML without aliases) and validates it. Hostile
 * documents are refused before the schema sees them: too large, too deep or too many nodes,
 * prototype-pollution keys (`__proto__`, `constructor`, `prototype`) anywhere, YAML aliases
 * (recursive or exponential references); then the strict schema, then the config and credentials
 * JSON Schemas (recursive `$ref`s, unsafe `pattern`s).
 */
export function parseDefinitionText(text: string, contentType: 'json' | 'yaml'): ParsedDefinition {
  if (Buffer.byteLength(text, 'utf8') > MAX_DEFINITION_BYTES)
    return fault('', `the document is larger than ${MAX_DEFINITION_BYTES} bytes`, 'DEFINITION_TOO_LARGE');
  let value: unknown;
  try {
    value = contentType === 'json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 0, merge: false, schema: 'core', uniqueKeys: true });
  } catch (error) {
    return fault(
      '',
      `not ${contentType === 'json' ? 'JSON' : 'YAML (aliases are refused)'}: ${(error as Error).message.split('\n')[0]}`,
      'DEFINITION_UNPARSABLE',
    );
  }
  return validateDefinition(value);
}

/** Validates an already-parsed document (shipped definitions, tests). */
export function validateDefinition(value: unknown): ParsedDefinition {
  const hostile = findHostile(value);
  if (hostile) return { ok: false, faults: [hostile] };
  const parsed = connectorDefinitionSchema.safeParse(value);
  if (!parsed.success) return { ok: false, faults: parsed.error.issues.slice(0, 20).map(issueFault) };
  try {
    const config = jsonSchemaToZod(parsed.data.config, '/config');
    jsonSchemaToZod(parsed.data.credentials, '/credentials');
    if (config.safeParse === undefined) throw new SchemaFault('/config', 'not a schema');
  } catch (error) {
    if (error instanceof SchemaFault) return fault(error.pointer, error.message, 'DEFINITION_INVALID');
    throw error;
  }
  return { ok: true, definition: parsed.data };
}

function issueFault(issue: z.core.$ZodIssue): DefinitionFault {
  return { pointer: issue.path.map((key) => `/${pointerToken(String(key))}`).join(''), message: issue.message, code: 'DEFINITION_INVALID' };
}

function fault(pointer: string, message: string, code: DefinitionFault['code']): ParsedDefinition {
  return { ok: false, faults: [{ pointer, message, code }] };
}

/** The first hostile shape in the document, walked iteratively (a deep document cannot overflow the stack). */
function findHostile(root: unknown): DefinitionFault | undefined {
  const stack: Array<{ value: unknown; pointer: string; depth: number }> = [{ value: root, pointer: '', depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value, pointer, depth } = stack.pop()!;
    nodes += 1;
    if (nodes > MAX_NODES) return { pointer, message: `more than ${MAX_NODES} values`, code: 'DEFINITION_HOSTILE' };
    if (depth > MAX_DEPTH) return { pointer, message: `nested deeper than ${MAX_DEPTH}`, code: 'DEFINITION_HOSTILE' };
    if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, pointer: `${pointer}/${index}`, depth: depth + 1 }));
    } else if (value !== null && typeof value === 'object') {
      if (!isPlainObject(value)) return { pointer, message: 'not plain JSON data', code: 'DEFINITION_HOSTILE' };
      for (const key of Object.keys(value)) {
        const at = `${pointer}/${pointerToken(key)}`;
        if (FORBIDDEN_KEYS.has(key)) return { pointer: at, message: `the key "${key}" is not allowed (prototype pollution)`, code: 'DEFINITION_HOSTILE' };
        if (key.includes('\u0000')) return { pointer: at, message: 'a key holding U+0000, which the hub cannot store', code: 'DEFINITION_INVALID' };
        stack.push({ value: value[key], pointer: at, depth: depth + 1 });
      }
    } else if (typeof value === 'string' && value.length > 65_536) {
      return { pointer, message: 'a string longer than 65,536 characters', code: 'DEFINITION_HOSTILE' };
    } else if (typeof value === 'string' && value.includes('\u0000')) {
      // As everywhere in the API (JSON bodies answer VALIDATION_FAILED): Postgres text cannot hold it.
      return { pointer, message: 'a string holding U+0000, which the hub cannot store', code: 'DEFINITION_INVALID' };
    }
  }
  return undefined;
}
