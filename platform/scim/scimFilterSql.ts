import { type Knex } from 'knex';
import { type CompareOperator, type FilterValue, type ScimFilter, ScimFilterError } from './scimFilter';

/** How one filterable attribute reads in SQL. */
export type FilterColumn =
  | { kind: 'text'; sql: string; caseExact?: boolean }
  | { kind: 'boolean'; sql: string }
  | { kind: 'timestamp'; sql: string }
  /** A multi-valued attribute: `exists (select 1 from <from> e where <sub-attribute condition>)`; `columns` reads sub-attributes of `e`. */
  | { kind: 'elements'; from: string; columns: Record<string, FilterColumn>; defaultSub: string };

export interface SqlFragment {
  sql: string;
  bindings: Knex.RawBinding[];
}

/**
 * Turns a parsed filter into a SQL condition over the columns a resource type declares
 * (attribute names lower-cased, sub-attributes as `emails.value`). An attribute it does not know is
 * an invalid filter (400), never ignored: a filter that matched everything would hand an identity
 * provider the wrong person.
 */
export function filterToSql(filter: ScimFilter, columns: Record<string, FilterColumn>): SqlFragment {
  switch (filter.kind) {
    case 'logical': {
      const left = filterToSql(filter.left, columns);
      const right = filterToSql(filter.right, columns);
      return { sql: `(${left.sql} ${filter.operator} ${right.sql})`, bindings: [...left.bindings, ...right.bindings] };
    }
    case 'not': {
      const inner = filterToSql(filter.filter, columns);
      return { sql: `(not coalesce(${inner.sql}, false))`, bindings: inner.bindings };
    }
    case 'valuePath': {
      const column = columns[filter.path.toLowerCase()];
      if (column?.kind !== 'elements') throw new ScimFilterError(`${filter.path} is not a multi-valued attribute that can be filtered`);
      const inner = filterToSql(filter.filter, column.columns);
      return { sql: `exists (select 1 from ${column.from} e where ${inner.sql})`, bindings: inner.bindings };
    }
    case 'present':
    case 'compare': {
      const [name, sub] = splitPath(filter.path);
      const column = columns[name];
      if (!column) throw new ScimFilterError(`filtering on ${filter.path} is not supported`);
      if (column.kind === 'elements') {
        const subColumn = column.columns[sub ?? column.defaultSub];
        if (!subColumn) throw new ScimFilterError(`filtering on ${filter.path} is not supported`);
        const inner = filter.kind === 'present' ? presentSql(subColumn) : compareSql(subColumn, filter.operator, filter.value, filter.path);
        return { sql: `exists (select 1 from ${column.from} e where ${inner.sql})`, bindings: inner.bindings };
      }
      if (sub !== undefined) {
        const nested = columns[`${name}.${sub}`];
        if (!nested) throw new ScimFilterError(`filtering on ${filter.path} is not supported`);
        return filter.kind === 'present' ? presentSql(nested) : compareSql(nested, filter.operator, filter.value, filter.path);
      }
      return filter.kind === 'present' ? presentSql(column) : compareSql(column, filter.operator, filter.value, filter.path);
    }
  }
}

function splitPath(path: string): [string, string | undefined] {
  const lower = path.toLowerCase();
  // A schema-qualified path (`urn:…:User:userName`) names the attribute after the last colon.
  const bare = lower.startsWith('urn:') ? lower.slice(lower.lastIndexOf(':') + 1) : lower;
  const dot = bare.indexOf('.');
  return dot === -1 ? [bare, undefined] : [bare.slice(0, dot), bare.slice(dot + 1)];
}

function presentSql(column: FilterColumn): SqlFragment {
  if (column.kind === 'elements') throw new ScimFilterError('pr on a multi-valued attribute needs a sub-attribute');
  if (column.kind === 'text') return { sql: `(${column.sql} is not null and ${column.sql} <> '')`, bindings: [] };
  return { sql: `(${column.sql} is not null)`, bindings: [] };
}

const ORDERING: Record<string, string> = { gt: '>', ge: '>=', lt: '<', le: '<=' };

function compareSql(column: FilterColumn, operator: CompareOperator, value: FilterValue, path: string): SqlFragment {
  if (column.kind === 'elements') throw new ScimFilterError(`${path} needs a sub-attribute`);
  if (value === null) {
    if (operator === 'eq') return { sql: `(${column.sql} is null)`, bindings: [] };
    if (operator === 'ne') return { sql: `(${column.sql} is not null)`, bindings: [] };
    throw new ScimFilterError(`${operator} null is not a comparison`);
  }
  if (column.kind === 'boolean') {
    if (typeof value !== 'boolean' || (operator !== 'eq' && operator !== 'ne')) throw new ScimFilterError(`${path} compares with eq or ne and true or false`);
    return { sql: `(${column.sql} ${operator === 'eq' ? '=' : 'is distinct from'} ?)`, bindings: [value] };
  }
  if (column.kind === 'timestamp') {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw new ScimFilterError(`${path} compares with a date-time string`);
    const sqlOperator = operator === 'eq' ? '=' : operator === 'ne' ? '<>' : ORDERING[operator];
    if (!sqlOperator) throw new ScimFilterError(`${operator} does not apply to ${path}`);
    return { sql: `(${column.sql} ${sqlOperator} ?::timestamptz)`, bindings: [new Date(value).toISOString()] };
  }
  if (typeof value !== 'string') throw new ScimFilterError(`${path} compares with a string`);
  const target = column.caseExact ? column.sql : `lower(${column.sql})`;
  const bound = column.caseExact ? value : value.toLowerCase();
  switch (operator) {
    case 'eq':
      return { sql: `(${target} = ?)`, bindings: [bound] };
    case 'ne':
      return { sql: `(${target} is distinct from ?)`, bindings: [bound] };
    case 'co':
      return { sql: `(strpos(${target}, ?) > 0)`, bindings: [bound] };
    case 'sw':
      return { sql: `starts_with(${target}, ?)`, bindings: [bound] };
    case 'ew':
      return { sql: `(right(${target}, ?) = ?)`, bindings: [bound.length, bound] };
    default:
      return { sql: `(${target} ${ORDERING[operator]} ?)`, bindings: [bound] };
  }
}
