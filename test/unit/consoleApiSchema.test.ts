import fs from 'node:fs';
import path from 'node:path';
import { CONSOLE_API_SCHEMA, renderConsoleApiSchema } from '../../api/docs/consoleApiSchema';

const root = path.resolve(__dirname, '..', '..');

describe("the console's generated API types", () => {
  it('are what openapi-typescript generates from the OpenAPI document the API serves (fix: npm run console:schema)', async () => {
    const committed = fs.readFileSync(path.join(root, CONSOLE_API_SCHEMA), 'utf8');
    const generated = await renderConsoleApiSchema();
    // Compared by lines so a failure names the first operations that differ, not 700 KB of text.
    expect(committed.split('\n')).toEqual(generated.split('\n'));
  });
});
