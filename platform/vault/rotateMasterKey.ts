import { appendAudit } from '../audit';
import { type Database } from '../db';
import { type MasterKeyring } from './masterKeys';
import { rewrapTenantDataKeys } from './vault';

export interface RotationReport {
  tenants: number;
  rewrapped: number;
  masterKeyId: string;
}

/**
 * Re-wraps every tenant's data keys under the keyring's current master key, tenant by tenant
 * (each in its own transaction, with an audit row when something changed). Idempotent: a second
 * run finds nothing to do; an interrupted run can simply be repeated. `npm run vault:rotate` runs it.
 */
export async function rotateMasterKey(
  db: Database,
  keyring: MasterKeyring,
  options: { log?: (line: string) => void; /** Only these tenants (a staged rotation); default all. */ tenantSlugs?: readonly string[] } = {},
): Promise<RotationReport> {
  const log = options.log ?? (() => undefined);
  const tenants = await db.withPlatform((trx) => {
    const query = trx('tenants').select<Array<{ id: string; slug: string }>>('id', 'slug').orderBy('created_at');
    return options.tenantSlugs ? query.whereIn('slug', [...options.tenantSlugs]) : query;
  });
  let rewrapped = 0;
  for (const tenant of tenants) {
    const count = await db.withTenant(tenant.id, async (trx) => {
      const changed = await rewrapTenantDataKeys(trx, tenant.id, keyring);
      if (changed > 0) {
        await appendAudit(trx, {
          tenantId: tenant.id,
          actor: { type: 'system', id: 'vault:rotate' },
          action: 'vault.data_keys_rewrapped',
          details: { dataKeys: changed, masterKeyId: keyring.current.id },
        });
      }
      return changed;
    });
    if (count > 0) log(`tenant ${tenant.slug}: re-wrapped ${count} data key(s)`);
    rewrapped += count;
  }
  return { tenants: tenants.length, rewrapped, masterKeyId: keyring.current.id };
}
