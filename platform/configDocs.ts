import fs from 'node:fs';
import path from 'node:path';
import { type z } from 'zod';
import { configSchema } from './config';

const START = '<!-- config:start -->';
const END = '<!-- config:end -->';

/** The README's configuration table, generated from the zod schema (descriptions and defaults). */
export function configTable(): string {
  const rows = Object.entries(configSchema.shape).map(([name, schema]) => {
    const field = schema as z.ZodType;
    const unset = field.safeParse(undefined);
    const fallback = unset.success && unset.data !== undefined ? `\`${String(unset.data)}\`` : '—';
    return `| \`${name}\` | ${fallback} | ${(field.description ?? '').replace(/\|/g, '\\|')} |`;
  });
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}

/** Rewrites the table between the README markers (`npm run docs:config`). */
export function updateReadme(readmePath: string): boolean {
  const readme = fs.readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end === -1) throw new Error(`README lacks ${START} … ${END}`);
  const next = `${readme.slice(0, start + START.length)}\n${configTable()}\n${readme.slice(end)}`;
  if (next === readme) return false;
  fs.writeFileSync(readmePath, next);
  return true;
}

if (require.main === module) {
  const changed = updateReadme(path.resolve(__dirname, '..', 'README.md'));
  process.stdout.write(`${changed ? 'README.md configuration table updated' : 'README.md configuration table is current'}\n`);
}
