import { randomUUID } from 'node:crypto';
import { generateApiKey } from '../../platform/apiKeys';
import { type AuditActor, appendAudit } from '../../platform/audit';
import { type TenantTransaction } from '../../platform/db';
import { API_KEY_COLUMNS, type ApiKeyRow } from '../apiKeys/apiKeyView';
import { type Role } from './roles';

/** What a new key is: who holds it, what it may do, until when. */
export interface NewApiKeyFields {
  tenantId: string;
  name: string;
  role: Role;
  scopes: string[] | null;
  expiresAt: Date | null;
  /** Stored on the row (`api_key:<id>` or `platform_admin`). */
  createdBy: string;
  actor: AuditActor;
}

/**
 * Generates a key, stores its lookup prefix and hash (never the secret) and writes the
 * `api_key.created` audit row, in the caller's tenant transaction. The secret is returned once,
 * for the create response.
 */
export async function issueApiKey(trx: TenantTransaction, fields: NewApiKeyFields): Promise<{ row: ApiKeyRow; key: string }> {
  const key = generateApiKey();
  const id = randomUUID();
  const [inserted] = await trx<ApiKeyRow>('api_keys')
    .insert({
      id,
      tenant_id: fields.tenantId,
      name: fields.name,
      key_prefix: key.lookupPrefix,
      key_hash: key.hash,
      role: fields.role,
      scopes: fields.scopes,
      expires_at: fields.expiresAt,
      created_by: fields.createdBy,
    } as never)
    .returning([...API_KEY_COLUMNS]);
  await appendAudit(trx, {
    tenantId: fields.tenantId,
    actor: fields.actor,
    action: 'api_key.created',
    target: { type: 'api_key', id },
    details: {
      after: { name: fields.name, prefix: key.lookupPrefix, role: fields.role, scopes: fields.scopes, expiresAt: fields.expiresAt?.toISOString() ?? null },
    },
  });
  return { row: inserted as ApiKeyRow, key: key.key };
}
