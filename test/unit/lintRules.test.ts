import { ESLint, type Linter } from 'eslint';
import path from 'node:path';
import tseslint from 'typescript-eslint';

const root = path.resolve(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const projectConfig = require(path.join(root, 'eslint.config.js')) as Linter.Config[];

/** The workflow-determinism rule as configured in eslint.config.js, run without type information. */
async function lintWorkflow(code: string): Promise<string[]> {
  const workflowBlock = projectConfig.find((block) => block.files?.includes('workflows/**/*.ts'));
  if (!workflowBlock) throw new Error('eslint.config.js has no workflows/ block');
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser }, plugins: { '@typescript-eslint': tseslint.plugin as never } }, workflowBlock],
  });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, 'workflows', 'probe.ts') });
  return result!.messages.map((message) => message.message);
}

describe('workflow lint rule', () => {
  it('forbids Node built-ins in workflows/', async () => {
    expect(await lintWorkflow(`import fs from 'fs';\nexport const a = fs;`)).toEqual([expect.stringContaining('Node built-ins')]);
    expect(await lintWorkflow(`import { randomUUID } from 'node:crypto';\nexport const a = randomUUID;`)).toEqual([expect.stringContaining('Node built-ins')]);
  });

  it('forbids value imports of activities, connectors and platform, but allows type imports', async () => {
    expect(await lintWorkflow(`import { createActivities } from '../activities';\nexport const a = createActivities;`)).toHaveLength(1);
    expect(await lintWorkflow(`import { loadConfig } from '../platform/config';\nexport const a = loadConfig;`)).toHaveLength(1);
    expect(await lintWorkflow(`import { registry } from '../connectors/registry';\nexport const a = registry;`)).toHaveLength(1);
    expect(await lintWorkflow(`import type { HubActivities } from '../activities';\nexport type A = HubActivities;`)).toEqual([]);
    expect(await lintWorkflow(`import { proxyActivities } from '@temporalio/workflow';\nexport const a = proxyActivities;`)).toEqual([]);
  });
});
