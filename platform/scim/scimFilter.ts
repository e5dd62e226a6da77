/**
 * SCIM filter expressions (RFC 7644 §3.4.2.2): `userName eq "a@b.c"`, `externalId eq "…"`,
 * `emails[type eq "work"]`, combined with `and`, `or`, `not (…)` and parentheses. Parsed into a
 * tree that the stores turn into SQL and PATCH paths evaluate against a resource's values.
 */
export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;

export type ScimFilter =
  | { kind: 'logical'; operator: 'and' | 'or'; left: ScimFilter; right: ScimFilter }
  | { kind: 'not'; filter: ScimFilter }
  | { kind: 'present'; path: string }
  | { kind: 'compare'; path: string; operator: CompareOperator; value: FilterValue }
  | { kind: 'valuePath'; path: string; filter: ScimFilter };

/** A filter the hub cannot read; the routes answer it as 400 invalidFilter. */
export class ScimFilterError extends Error {}

const COMPARE = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const ATTRIBUTE = /^[A-Za-z$][\w$.:-]*$/;

type Token = { type: 'word'; text: string } | { type: 'string'; value: string } | { type: 'punct'; text: '(' | ')' | '[' | ']' };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < input.length) {
    const char = input[index]!;
    if (/\s/.test(char)) {
      index += 1;
    } else if (char === '(' || char === ')' || char === '[' || char === ']') {
      tokens.push({ type: 'punct', text: char });
      index += 1;
    } else if (char === '"') {
      let end = index + 1;
      while (end < input.length && input[end] !== '"') end += input[end] === '\\' ? 2 : 1;
      if (end >= input.length) throw new ScimFilterError('unterminated string');
      try {
        tokens.push({ type: 'string', value: JSON.parse(input.slice(index, end + 1)) as string });
      } catch {
        throw new ScimFilterError('invalid string escape');
      }
      index = end + 1;
    } else {
      let end = index;
      while (end < input.length && !/[\s()[\]"]/.test(input[end]!)) end += 1;
      tokens.push({ type: 'word', text: input.slice(index, end) });
      index = end;
    }
  }
  return tokens;
}

/** Parses a filter; throws {@link ScimFilterError} for anything malformed. */
export function parseScimFilter(input: string): ScimFilter {
  if (input.length > 2000) throw new ScimFilterError('the filter is too long');
  const tokens = tokenize(input);
  let position = 0;
  const peek = () => tokens[position];
  const next = () => tokens[position++];
  const isWord = (token: Token | undefined, text: string) => token?.type === 'word' && token.text.toLowerCase() === text;
  const expectPunct = (text: string) => {
    const token = next();
    if (token?.type !== 'punct' || token.text !== text) throw new ScimFilterError(`expected "${text}"`);
  };

  function parseOr(): ScimFilter {
    let left = parseAnd();
    while (isWord(peek(), 'or')) {
      next();
      left = { kind: 'logical', operator: 'or', left, right: parseAnd() };
    }
    return left;
  }
  function parseAnd(): ScimFilter {
    let left = parseUnary();
    while (isWord(peek(), 'and')) {
      next();
      left = { kind: 'logical', operator: 'and', left, right: parseUnary() };
    }
    return left;
  }
  function parseUnary(): ScimFilter {
    const token = peek();
    if (isWord(token, 'not')) {
      next();
      expectPunct('(');
      const inner = parseOr();
      expectPunct(')');
      return { kind: 'not', filter: inner };
    }
    if (token?.type === 'punct' && token.text === '(') {
      next();
      const inner = parseOr();
      expectPunct(')');
      return inner;
    }
    return parseAttributeExpression();
  }
  function parseAttributeExpression(): ScimFilter {
    const token = next();
    if (token?.type !== 'word' || !ATTRIBUTE.test(token.text)) throw new ScimFilterError('expected an attribute name');
    const path = token.text;
    const after = peek();
    if (after?.type === 'punct' && after.text === '[') {
      next();
      const inner = parseOr();
      expectPunct(']');
      return { kind: 'valuePath', path, filter: inner };
    }
    const operator = next();
    if (operator?.type !== 'word') throw new ScimFilterError(`expected an operator after ${path}`);
    const op = operator.text.toLowerCase();
    if (op === 'pr') return { kind: 'present', path };
    if (!COMPARE.has(op)) throw new ScimFilterError(`unknown operator ${operator.text}`);
    return { kind: 'compare', path, operator: op as CompareOperator, value: parseValue() };
  }
  function parseValue(): FilterValue {
    const token = next();
    if (token?.type === 'string') return token.value;
    if (token?.type === 'word') {
      const text = token.text.toLowerCase();
      if (text === 'true') return true;
      if (text === 'false') return false;
      if (text === 'null') return null;
      if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(token.text)) return Number(token.text);
    }
    throw new ScimFilterError('expected a value (a "string", a number, true, false or null)');
  }

  const filter = parseOr();
  if (position !== tokens.length) throw new ScimFilterError('unexpected text after the filter');
  return filter;
}

function compareValues(actual: unknown, operator: CompareOperator, expected: FilterValue): boolean {
  if (actual === undefined || actual === null) return operator === 'ne' ? expected !== null : expected === null && operator === 'eq';
  if (typeof actual === 'string' && typeof expected === 'string') {
    const a = actual.toLowerCase();
    const e = expected.toLowerCase();
    switch (operator) {
      case 'eq':
        return a === e;
      case 'ne':
        return a !== e;
      case 'co':
        return a.includes(e);
      case 'sw':
        return a.startsWith(e);
      case 'ew':
        return a.endsWith(e);
      case 'gt':
        return a > e;
      case 'ge':
        return a >= e;
      case 'lt':
        return a < e;
      case 'le':
        return a <= e;
    }
  }
  if (operator === 'eq') return actual === expected;
  if (operator === 'ne') return actual !== expected;
  if (typeof actual === 'number' && typeof expected === 'number') {
    return operator === 'gt'
      ? actual > expected
      : operator === 'ge'
        ? actual >= expected
        : operator === 'lt'
          ? actual < expected
          : operator === 'le'
            ? actual <= expected
            : false;
  }
  return false;
}

/** Reads an attribute (case-insensitively) of a plain object. */
export function readAttribute(object: unknown, name: string): unknown {
  if (typeof object !== 'object' || object === null) return undefined;
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : (object as Record<string, unknown>)[key];
}

/** Whether one value of a multi-valued attribute (`{ type, value, primary }`) matches a filter. */
export function matchesFilter(filter: ScimFilter, element: unknown): boolean {
  switch (filter.kind) {
    case 'logical':
      return filter.operator === 'and'
        ? matchesFilter(filter.left, element) && matchesFilter(filter.right, element)
        : matchesFilter(filter.left, element) || matchesFilter(filter.right, element);
    case 'not':
      return !matchesFilter(filter.filter, element);
    case 'present': {
      const value = readAttribute(element, filter.path);
      return value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
    }
    case 'compare': {
      // A simple value compared as `value` (e.g. members[value eq "…"] on { value }).
      const value = typeof element === 'object' && element !== null ? readAttribute(element, filter.path) : element;
      return compareValues(value, filter.operator, filter.value);
    }
    case 'valuePath':
      return false;
  }
}
