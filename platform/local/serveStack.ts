import { loadConfig } from '../config';
import { runMain } from '../runMain';
import { startLocalStack } from './stack';

/**
 * Runs an ephemeral local stack for the test suite: prints one `HUB_STACK_READY <json>` line with
 * the variables the tests need, then keeps Postgres and Temporal up until SIGTERM/SIGINT or until
 * its parent closes stdin (so a crashed jest never leaves servers behind).
 */
export const READY_MARKER = 'HUB_STACK_READY';

runMain('stack', async () => {
  const config = loadConfig();
  const stack = await startLocalStack({ config, profile: 'ephemeral', log: (line) => process.stderr.write(`[stack] ${line}\n`) });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.on('close', () => void stop());
  process.stdin.resume();
  process.stdout.write(`${READY_MARKER} ${JSON.stringify({ env: stack.env, ownerDatabaseUrl: stack.ownerDatabaseUrl, dataDirectory: stack.dataDirectory })}\n`);
});
