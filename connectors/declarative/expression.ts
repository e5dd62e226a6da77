import { FORBIDDEN_KEYS, ownValue } from './safeAccess';

/**
 * The interpolation language of connector definitions: `{{ … }}` inside strings. It is not
 * Turing-complete and runs no JavaScript: an expression is a value (a path from one of the roots,
 * a quoted string or a number), optionally followed by `?? fallback` and `| filter` steps from a
 * fixed list. Paths read own properties of plain data only ({@link ownValue}).
 *
 *   {{ config.businessId }}    {{ cursor.start ?? config.startDate }}    {{ cursor.start | epoch }}
 *
 * A template whose expressions all resolve renders to a string; one that references a missing
 * value renders to `undefined`, which callers read as "leave this parameter out".
 */

/** The names an expression may start from. */
export const EXPRESSION_ROOTS = ['config', 'credentials', 'cursor', 'response', 'record', 'parent', 'stream', 'now'] as const;
export type ExpressionRoot = (typeof EXPRESSION_ROOTS)[number];
export type ExpressionScope = Partial<Record<ExpressionRoot, unknown>>;

/** Filters an expression may apply, each a pure function of its input. */
const FILTERS: Record<string, (value: unknown) => unknown> = {
  urlencode: (value) => encodeURIComponent(String(value)),
  string: (value) => String(value),
  iso: (value) => toIso(value),
  date: (value) => toIso(value)?.slice(0, 10),
  epoch: (value) => {
    const iso = toIso(value);
    return iso === undefined ? undefined : Math.floor(Date.parse(iso) / 1000);
  },
  epoch_ms: (value) => {
    const iso = toIso(value);
    return iso === undefined ? undefined : Date.parse(iso);
  },
  lower: (value) => String(value).toLowerCase(),
  upper: (value) => String(value).toUpperCase(),
  base64: (value) => Buffer.from(String(value), 'utf8').toString('base64'),
};

export class ExpressionError extends Error {}

type Operand = { kind: 'path'; root: ExpressionRoot; keys: string[] } | { kind: 'literal'; value: string | number };
interface Expression {
  operands: Operand[];
  filters: string[];
}
type Part = string | Expression;

const MAX_TEMPLATE_LENGTH = 4_000;
const MAX_EXPRESSIONS = 32;
const MAX_PATH_KEYS = 16;

/** Parses a template once; throws an {@link ExpressionError} that says what is wrong. */
export function parseTemplate(template: string): Part[] {
  if (template.length > MAX_TEMPLATE_LENGTH) throw new ExpressionError(`template longer than ${MAX_TEMPLATE_LENGTH} characters`);
  const parts: Part[] = [];
  let rest = template;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    if (open < 0) {
      parts.push(rest);
      break;
    }
    if (open > 0) parts.push(rest.slice(0, open));
    const close = rest.indexOf('}}', open + 2);
    if (close < 0) throw new ExpressionError('unclosed {{');
    parts.push(parseExpression(rest.slice(open + 2, close)));
    if (parts.filter((part) => typeof part !== 'string').length > MAX_EXPRESSIONS) throw new ExpressionError(`more than ${MAX_EXPRESSIONS} expressions`);
    rest = rest.slice(close + 2);
  }
  return parts;
}

function parseExpression(source: string): Expression {
  const [head, ...filterParts] = splitOutsideQuotes(source, '|');
  const filters = filterParts.map((part) => part.trim());
  for (const filter of filters) {
    if (!Object.prototype.hasOwnProperty.call(FILTERS, filter))
      throw new ExpressionError(`unknown filter "${filter}" (known: ${Object.keys(FILTERS).join(', ')})`);
  }
  const operands = splitOutsideQuotes(head!, '??').map((part) => parseOperand(part.trim()));
  return { operands, filters };
}

function parseOperand(text: string): Operand {
  if (text === '') throw new ExpressionError('empty expression');
  const quoted = /^'([^'\\]*)'$/.exec(text) ?? /^"([^"\\]*)"$/.exec(text);
  if (quoted) return { kind: 'literal', value: quoted[1]! };
  if (/^-?\d+(\.\d+)?$/.test(text)) return { kind: 'literal', value: Number(text) };
  const match = /^([a-z]+)((?:\.[A-Za-z_$][\w$-]*|\[\d+\])*)$/.exec(text);
  if (!match) throw new ExpressionError(`"${text}" is not a path, a quoted string or a number`);
  const root = match[1] as ExpressionRoot;
  if (!(EXPRESSION_ROOTS as readonly string[]).includes(root)) throw new ExpressionError(`unknown root "${root}" (known: ${EXPRESSION_ROOTS.join(', ')})`);
  const keys = [...match[2]!.matchAll(/\.([A-Za-z_$][\w$-]*)|\[(\d+)\]/g)].map((step) => step[1] ?? step[2]!);
  if (keys.length > MAX_PATH_KEYS) throw new ExpressionError(`path deeper than ${MAX_PATH_KEYS}`);
  const forbidden = keys.find((key) => FORBIDDEN_KEYS.has(key));
  if (forbidden) throw new ExpressionError(`"${forbidden}" may not be named`);
  return { kind: 'path', root, keys };
}

/** Splits on `separator` where it is not inside quotes. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let quote: string | null = null;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === "'" || char === '"') quote = char;
    else if (text.startsWith(separator, index) && !(separator === '|' && text[index + 1] === '|')) {
      parts.push(text.slice(start, index));
      start = index + separator.length;
      index += separator.length - 1;
    }
  }
  if (quote) throw new ExpressionError('unclosed quote');
  parts.push(text.slice(start));
  return parts;
}

function evaluate(expression: Expression, scope: ExpressionScope): unknown {
  let value: unknown;
  for (const operand of expression.operands) {
    value = operand.kind === 'literal' ? operand.value : readPath(scope, operand.root, operand.keys);
    if (value !== undefined && value !== null && value !== '') break;
  }
  if (value === undefined || value === null || value === '') return undefined;
  for (const filter of expression.filters) {
    value = FILTERS[filter]!(value);
    if (value === undefined) return undefined;
  }
  return value;
}

function readPath(scope: ExpressionScope, root: ExpressionRoot, keys: string[]): unknown {
  let current: unknown = root === 'now' ? (scope.now ?? new Date().toISOString()) : ownValue(scope, root);
  for (const key of keys) {
    current = ownValue(current, key);
    if (current === undefined) return undefined;
  }
  return current;
}

/** Renders parsed parts; undefined when an expression has no value. */
export function renderParts(parts: Part[], scope: ExpressionScope): string | undefined {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = evaluate(part, scope);
    if (value === undefined) return undefined;
    out += typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return out;
}

const parsedTemplates = new Map<string, Part[]>();

/** Parses (cached) and renders `template`. */
export function render(template: string, scope: ExpressionScope): string | undefined {
  let parts = parsedTemplates.get(template);
  if (!parts) {
    parts = parseTemplate(template);
    if (parsedTemplates.size > 10_000) parsedTemplates.clear();
    parsedTemplates.set(template, parts);
  }
  return renderParts(parts, scope);
}

/** The `config.<field>` names a template reads (for the SSRF guard's URL fields). */
export function configFieldsOf(template: string): string[] {
  return parseTemplate(template).flatMap((part) =>
    typeof part === 'string'
      ? []
      : part.operands.flatMap((operand) => (operand.kind === 'path' && operand.root === 'config' && operand.keys[0] ? [operand.keys[0]] : [])),
  );
}

/** ISO 8601 from an ISO string, a Date, or epoch seconds / milliseconds. */
export function toIso(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value === 'number') {
    const ms = value < 1e11 ? value * 1000 : value;
    return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
  }
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return toIso(Number(value));
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  }
  return undefined;
}
