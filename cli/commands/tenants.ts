import { type Command } from 'commander';
import { type HubClient } from '../client';
import { printObject, printRows } from '../output';

interface Tenant {
  id: string;
  slug: string;
  name: string;
  plan: string;
  status: string;
  createdAt: string;
}

/** `hub tenants create|list` (platform admin: $HUB_ADMIN_TOKEN). */
export function registerTenantCommands(program: Command, client: () => HubClient): void {
  const tenants = program.command('tenants').description('tenants (platform admin, $HUB_ADMIN_TOKEN)');

  tenants
    .command('create <slug>')
    .description('create a tenant with an admin user and an admin API key (the key is shown once)')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--admin-email <email>', 'e-mail of the first admin user')
    .option('--plan <plan>', 'starter | professional | enterprise', 'starter')
    .option('--json', 'print JSON')
    .action(async (slug: string, options: { name: string; adminEmail: string; plan: string; json?: boolean }) => {
      const created = await client().request<{ tenant: Tenant; apiKey: { id: string; key: string }; workflowId?: string; temporalUiUrl?: string }>(
        'POST',
        '/v1/admin/tenants',
        {
          auth: 'admin',
          body: { slug, name: options.name, plan: options.plan, adminEmail: options.adminEmail },
        },
      );
      if (options.json) return printObject(created as unknown as Record<string, unknown>, options);
      printObject(
        {
          id: created.tenant.id,
          slug: created.tenant.slug,
          name: created.tenant.name,
          plan: created.tenant.plan,
          apiKey: created.apiKey.key,
          workflowId: created.workflowId,
          temporalUiUrl: created.temporalUiUrl,
        },
        options,
      );
      process.stderr.write('The API key is shown only now: store it.\n');
    });

  tenants
    .command('list')
    .description('list tenants, newest first')
    .option('--limit <n>', 'page size', '25')
    .option('--page <n>', 'page', '1')
    .option('--json', 'print JSON')
    .action(async (options: { limit: string; page: string; json?: boolean }) => {
      const { data } = await client().request<{ data: Tenant[] }>(
        'GET',
        `/v1/admin/tenants?${new URLSearchParams({ limit: options.limit, page: options.page })}`,
        { auth: 'admin' },
      );
      printRows(data as unknown as Array<Record<string, unknown>>, ['id', 'slug', 'name', 'plan', 'status', 'createdAt'], options);
    });
}
