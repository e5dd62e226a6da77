import { ESLint, type Linter } from 'eslint';
import fs from 'node:fs';
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
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser }, plugins: { '@typescript-eslint': tseslint.plugin as never } },
      workflowBlock,
    ],
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

/** The import-direction and cycle rules of eslint.config.js (and the workflow rule), without type information. */
function layerLinter(): ESLint {
  const layerBlock = projectConfig.find((block) => block.rules?.['hub/no-import-cycle']);
  const workflowBlock = projectConfig.find((block) => block.files?.includes('workflows/**/*.ts'));
  if (!layerBlock || !workflowBlock) throw new Error('eslint.config.js has no layer or workflows/ block');
  return new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      { ignores: ['node_modules/**', '.data/**', '.tools/**', 'eslint-rules/**', '*.js'] },
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser }, plugins: { '@typescript-eslint': tseslint.plugin as never } },
      layerBlock,
      workflowBlock,
    ],
  });
}

async function lintAt(file: string, code: string): Promise<string[]> {
  const [result] = await layerLinter().lintText(code, { filePath: path.join(root, file) });
  return result!.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

describe('import direction lint rules', () => {
  it('keeps platform/ free of every other layer, the Temporal contracts excepted', async () => {
    expect(await lintAt('platform/probe.ts', `import { roleAtLeast } from '../api/auth/roles';\nexport const a = roleAtLeast;`)).toEqual([
      expect.stringContaining('platform/ is the bottom layer'),
    ]);
    expect(await lintAt('platform/users/probe.ts', `import { type HubActivities } from '../../activities';\nexport type A = HubActivities;`)).toEqual([
      expect.stringContaining('platform/ is the bottom layer'),
    ]);
    expect(await lintAt('platform/probe.ts', `import { createHubWorker } from '../worker/worker';\nexport const a = createHubWorker;`)).toEqual([
      expect.stringContaining('platform/ is the bottom layer'),
    ]);
    expect(await lintAt('platform/probe.ts', `import { connectorSync } from '../workflows/connectorSync';\nexport const a = connectorSync;`)).toEqual([
      expect.stringContaining('only the Temporal contracts'),
    ]);
    // platform/migrations is platform's own folder, not the migrations/ layer.
    expect(
      await lintAt(
        'platform/local/probe.ts',
        `import { migrateToLatest } from '../migrations/migrator';\nimport { WORKFLOW_TYPES } from '../../workflows/contracts';\nexport const a = [migrateToLatest, WORKFLOW_TYPES];`,
      ),
    ).toEqual([]);
  });

  it('lets connectors/ import only platform/, and activities/ anything but api/', async () => {
    expect(
      await lintAt('connectors/probe.ts', `import { withConnector } from '../activities/connectors/connectorRuntime';\nexport const a = withConnector;`),
    ).toEqual([expect.stringContaining('connectors/ imports only platform/')]);
    expect(await lintAt('connectors/probe.ts', `import { createLogger } from '../platform/logger';\nexport const a = createLogger;`)).toEqual([]);
    expect(await lintAt('activities/probe.ts', `import { createUser } from '../api/users/createUser';\nexport const a = createUser;`)).toEqual([
      expect.stringContaining('activities/ never imports api/'),
    ]);
    expect(await lintAt('activities/probe.ts', `import { AuthError } from '../connectors/errors';\nexport const a = AuthError;`)).toEqual([]);
  });

  it('keeps the contracts module free of repository imports, and bench/ off route files', async () => {
    expect(await lintAt('workflows/contracts/probe.ts', `import { type Logger } from '../../platform/logger';\nexport type A = Logger;`)).toEqual([
      expect.stringContaining('The Temporal contracts import nothing'),
    ]);
    expect(await lintAt('bench/probe.ts', `import { listUsers } from '../api/users/listUsers';\nexport const a = listUsers;`)).toEqual([
      expect.stringContaining('bench/ drives the API'),
    ]);
  });

  it('lets workflows/ import values from workflows/ and the contracts, other layers as types only', async () => {
    expect(await lintAt('workflows/probe.ts', `import { startJob } from '../api/jobs/startJob';\nexport const a = startJob;`)).toEqual([
      expect.stringContaining('Workflows import values only from workflows/'),
    ]);
    expect(
      await lintAt(
        'workflows/probe.ts',
        `import { pauseSignal } from './contracts';\nimport type { StartJobRequest } from '../api/jobs/startJob';\nexport const a = pauseSignal;\nexport type B = StartJobRequest;`,
      ),
    ).toEqual([]);
  });

  describe('import cycles', () => {
    const probeDir = path.join(root, 'platform', 'cycleProbe');
    beforeAll(() => {
      fs.mkdirSync(probeDir, { recursive: true });
      fs.writeFileSync(path.join(probeDir, 'first.ts'), `import { second } from './second';\nexport const first = () => second;\n`);
      fs.writeFileSync(path.join(probeDir, 'second.ts'), `import { third } from './third';\nexport const second = third;\n`);
      // Type-only: still a cycle.
      fs.writeFileSync(path.join(probeDir, 'third.ts'), `import { type first } from './first';\nexport const third: typeof first | null = null;\n`);
    });
    afterAll(() => fs.rmSync(probeDir, { recursive: true, force: true }));

    it('reports a cycle through type-only imports, with its route', async () => {
      const [result] = await layerLinter().lintFiles([path.join(probeDir, 'first.ts')]);
      expect(result!.messages.map((message) => message.message)).toEqual([
        'Import cycle: platform/cycleProbe/first.ts → platform/cycleProbe/second.ts → platform/cycleProbe/third.ts → platform/cycleProbe/first.ts',
      ]);
    });

    it('reports nothing once the edge back is gone', async () => {
      expect(await lintAt('platform/cycleProbe/third.ts', `export const third = null;\n`)).toEqual([]);
    });
  });
  // The repository itself is linted with these rules by `npm run lint`, which `npm test` runs first.
});
