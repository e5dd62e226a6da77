import fs from 'node:fs';
import path from 'node:path';
import { type z } from 'zod';
import { configSchema } from './config';

const START = '<!-- config:start -->';
const END = '<!-- config:end -->';

/** The configuration table of docs/configuration.md, generated from the zod schema (descriptions and defaults). */
export function configTable(): string {
  const rows = Object.entries(configSchema.shape).map(([name, schema]) => {
    const field = schema as z.ZodType;
    const unset = field.safeParse(undefined);
    const fallback = unset.success && unset.data !== undefined ? `\`${String(unset.data)}\`` : '—';
    return `| \`${name}\` | ${fallback} | ${(field.description ?? '').replace(/\|/g, '\\|')} |`;
  });
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}

/** Where the generated table lives, relative to the repository root. */
export const CONFIG_DOC = 'docs/configuration.md';

/** Rewrites the table between the markers of a Markdown file (`npm run docs:config`). */
export function updateConfigDoc(docPath: string): boolean {
  const doc = fs.readFileSync(docPath, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start === -1 || end === -1) throw new Error(`${docPath} lacks ${START} … ${END}`);
  const next = `${doc.slice(0, start + START.length)}\n${configTable()}\n${doc.slice(end)}`;
  if (next === doc) return false;
  fs.writeFileSync(docPath, next);
  return true;
}

if (require.main === module) {
  const changed = updateConfigDoc(path.resolve(__dirname, '..', CONFIG_DOC));
  process.stdout.write(`${CONFIG_DOC} configuration table ${changed ? 'updated' : 'is current'}\n`);
}
