import { z } from 'zod';

/** The `hub` CLI's settings, from the environment (validated like the server's). */
export const cliConfigSchema = z.object({
  HUB_URL: z.url().default('http://localhost:3000').describe('Base URL of the hub API.'),
  HUB_API_KEY: z.string().startsWith('hub_sk_').optional().describe('Tenant API key for tenant commands.'),
  HUB_ADMIN_TOKEN: z.string().min(32).optional().describe('Platform admin token for admin commands (tenants create|list).'),
});
export type CliConfig = z.infer<typeof cliConfigSchema>;

export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  const input = Object.fromEntries(
    Object.keys(cliConfigSchema.shape)
      .filter((key) => env[key])
      .map((key) => [key, env[key]]),
  );
  const parsed = cliConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid configuration: ${String(issue.path[0])} ${issue.message}`);
  }
  return parsed.data;
}
