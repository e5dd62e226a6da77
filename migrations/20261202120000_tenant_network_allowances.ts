import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn } from './helpers';

/**
 * Private-network allowances: the non-public ranges one tenant's connectors and webhooks may reach
 * (an on-premises system over that tenant's VPN). Granted by the platform admin only; every other
 * tenant stays refused by the SSRF guard. `cidr` is stored normalised (network address/prefix).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenant_network_allowances', (table) => {
    tenantColumn(table);
    table.text('cidr').notNullable();
    table.text('note');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['tenant_id', 'cidr']);
  });
  await enableTenantRls(knex, 'tenant_network_allowances');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('tenant_network_allowances');
}
