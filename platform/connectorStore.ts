import { appendAudit, type AuditActor } from './audit';
import { type TenantTransaction } from './db';
import { connectorCredentialsContext, type Vault } from './vault/vault';

/**
 * The `connectors` table: a tenant's registered external systems. Credentials are stored only as
 * vault ciphertext (AES-256-GCM under the tenant's data key, AAD = tenant + connector); these
 * helpers are the one place that seals and opens them. Every function runs in the caller's
 * tenant transaction.
 */
export interface ConnectorRow {
  id: string;
  tenant_id: string;
  type: string;
  name: string;
  config: Record<string, unknown>;
  credentials_ciphertext: string;
  credentials_key_id: string;
  status: 'active' | 'paused';
  paused_reason: string | null;
  paused_at: Date | null;
  last_tested_at: Date | null;
  last_test_ok: boolean | null;
  last_test_error: { code: string; message: string } | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export async function findConnectorRow(
  trx: TenantTransaction,
  tenantId: string,
  connectorId: string,
  options: { forUpdate?: boolean } = {},
): Promise<ConnectorRow | undefined> {
  const query = trx<ConnectorRow>('connectors').where({ id: connectorId, tenant_id: tenantId });
  return options.forUpdate ? query.forUpdate().first() : query.first();
}

/** Decrypts a connector's credentials. */
export async function openConnectorCredentials<T = Record<string, unknown>>(
  trx: TenantTransaction,
  vault: Vault,
  row: Pick<ConnectorRow, 'id' | 'tenant_id' | 'credentials_ciphertext' | 'credentials_key_id'>,
): Promise<T> {
  return vault.openJson<T>(trx, row.tenant_id, connectorCredentialsContext(row.id), {
    ciphertext: row.credentials_ciphertext,
    dataKeyId: row.credentials_key_id,
  });
}

/** Encrypts credentials for a connector: the two columns to store. */
export async function sealConnectorCredentials(
  trx: TenantTransaction,
  vault: Vault,
  tenantId: string,
  connectorId: string,
  credentials: unknown,
): Promise<Pick<ConnectorRow, 'credentials_ciphertext' | 'credentials_key_id'>> {
  const sealed = await vault.sealJson(trx, tenantId, connectorCredentialsContext(connectorId), credentials);
  return { credentials_ciphertext: sealed.ciphertext, credentials_key_id: sealed.dataKeyId };
}

/**
 * Stores rotated credentials (a refreshed OAuth token, a single-use refresh token) with an audit
 * row that names nothing secret.
 */
export async function storeRotatedCredentials(
  trx: TenantTransaction,
  vault: Vault,
  tenantId: string,
  connectorId: string,
  credentials: unknown,
  actor: AuditActor,
): Promise<void> {
  const sealed = await sealConnectorCredentials(trx, vault, tenantId, connectorId, credentials);
  const updated = await trx('connectors')
    .where({ id: connectorId, tenant_id: tenantId })
    .update({ ...sealed, updated_at: trx.fn.now() });
  if (updated === 0) throw new Error(`connector ${connectorId} no longer exists`);
  await appendAudit(trx, { tenantId, actor, action: 'connector.credentials_rotated', target: { type: 'connector', id: connectorId } });
}
