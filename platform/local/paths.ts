import path from 'node:path';

/** The repository root (this file lives in platform/local/). */
export const projectRoot = path.resolve(__dirname, '..', '..');

/** Project-local tool installs (Temporal CLI, peers); never committed. */
export const toolsDir = path.join(projectRoot, '.tools');

/** Resolves $HUB_DATA_DIR against the project root. */
export function dataDir(configured: string): string {
  return path.resolve(projectRoot, configured);
}
