import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Bundles workflows/ (webpack, as the worker would at start) into one file: production images
 * build it once (Dockerfile) and point TEMPORAL_WORKFLOW_BUNDLE at it, so a worker starts without
 * seconds of bundling and every replica of one image runs byte-identical workflow code.
 */
export async function writeWorkflowBundle(outputFile: string): Promise<{ bytes: number }> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
  fs.mkdirSync(path.dirname(outputFile), { recursive: true });
  fs.writeFileSync(outputFile, code);
  return { bytes: Buffer.byteLength(code) };
}
