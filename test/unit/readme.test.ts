import fs from 'node:fs';
import path from 'node:path';
import { configTable } from '../../platform/configDocs';

const root = path.resolve(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('carries the configuration table generated from platform/config (run npm run docs:config)', () => {
    expect(readme).toContain(`<!-- config:start -->\n${configTable()}\n<!-- config:end -->`);
  });

  it('documents every npm script it tells people to run', () => {
    const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts as Record<string, string>);
    const mentioned = [...readme.matchAll(/npm run ([a-z:]+)/g)].map((match) => match[1]!);
    expect(mentioned.filter((script) => !scripts.includes(script))).toEqual([]);
  });
});
