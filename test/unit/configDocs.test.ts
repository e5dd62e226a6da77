import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_DOC, configTable } from '../../platform/configDocs';

const root = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** The documentation people follow: the READMEs, the contributing guide and every page of docs/. */
const guides = [
  'README.md',
  'CONTRIBUTING.md',
  'bench/README.md',
  'test/peers/README.md',
  ...fs
    .readdirSync(path.join(root, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

describe('configuration docs', () => {
  it(`${CONFIG_DOC} carries the table generated from platform/config (run npm run docs:config)`, () => {
    expect(read(CONFIG_DOC)).toContain(`<!-- config:start -->\n${configTable()}\n<!-- config:end -->`);
  });

  it('names only npm scripts that exist', () => {
    const scripts = Object.keys(JSON.parse(read('package.json')).scripts as Record<string, string>);
    const mentioned = guides.flatMap((file) => [...read(file).matchAll(/npm run ([a-z][a-z:-]*)/g)].map((match) => `${file}: ${match[1]!}`));
    expect(mentioned.length).toBeGreaterThan(10);
    expect(mentioned.filter((entry) => !scripts.includes(entry.split(': ')[1]!))).toEqual([]);
  });
});
