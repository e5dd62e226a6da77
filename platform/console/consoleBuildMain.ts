import { runMain } from '../runMain';
import { ensureConsoleBuilt } from './consoleBuild';

/** `npm run console:build`: builds the console when its sources changed (`--force`: always). */
runMain('console:build', async () => {
  await ensureConsoleBuilt((line) => console.warn(`[console] ${line}`), { force: process.argv.includes('--force') });
});
