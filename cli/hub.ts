import { Command } from 'commander';
import { HubApiError, HubClient } from './client';
import { registerConnectorCommands } from './commands/connectors';
import { registerJobCommands } from './commands/jobs';
import { registerTenantCommands } from './commands/tenants';
import { registerUsageCommand } from './commands/usage';
import { loadCliConfig } from './config';

/**
 * `hub` — the admin CLI (`npm run hub -- <command>`): talks to the API at $HUB_URL with
 * $HUB_API_KEY (tenant commands) or $HUB_ADMIN_TOKEN (admin commands).
 */
export function buildProgram(): Command {
  const program = new Command('hub').description('Integration Hub command line').showHelpAfterError();
  let client: HubClient | undefined;
  const getClient = () => (client ??= new HubClient(loadCliConfig()));
  registerJobCommands(program, getClient);
  registerTenantCommands(program, getClient);
  registerConnectorCommands(program, getClient);
  registerUsageCommand(program, getClient);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      if (error instanceof HubApiError) {
        const details = error.details?.map((detail) => `\n  ${detail.path ?? ''}: ${detail.message}`).join('') ?? '';
        process.stderr.write(`hub: ${error.status} ${error.code}: ${error.message}${details}\n`);
      } else {
        process.stderr.write(`hub: ${(error as Error).message}\n`);
      }
      process.exit(1);
    });
}
