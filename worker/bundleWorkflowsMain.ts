import path from 'node:path';
import { runMain } from '../platform/runMain';
import { writeWorkflowBundle } from './workflowBundle';

/** `npm run bundle:workflows -- <file>`: writes the prebuilt workflow bundle the worker loads with TEMPORAL_WORKFLOW_BUNDLE. */
runMain('bundle:workflows', async () => {
  const output = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const { bytes } = await writeWorkflowBundle(output);
  process.stdout.write(`workflow bundle: ${output} (${(bytes / 1024).toFixed(0)} KiB)\n`);
});
