import { randomBytes } from 'node:crypto';
import { type TenantTransaction } from '../db';
import { type Vault } from '../vault/vault';

/** Prefix of Standard Webhooks signing secrets; the rest is base64 of the key bytes. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` + base64 of 32 random bytes (Standard Webhooks allows 24–64). */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The vault AAD context of an endpoint's secret: its ciphertext opens for this endpoint only. */
export const webhookSecretContext = (endpointId: string) => `webhook:${endpointId}:secret`;

/** Encrypts a secret for an endpoint: the two columns to store. */
export async function sealWebhookSecret(trx: TenantTransaction, vault: Vault, tenantId: string, endpointId: string, secret: string) {
  const sealed = await vault.sealJson(trx, tenantId, webhookSecretContext(endpointId), secret);
  return { secret_ciphertext: sealed.ciphertext, secret_key_id: sealed.dataKeyId };
}

/** Decrypts an endpoint's secret (in the worker, right before signing). */
export async function openWebhookSecret(
  trx: TenantTransaction,
  vault: Vault,
  row: { id: string; tenant_id: string; secret_ciphertext: string; secret_key_id: string },
): Promise<string> {
  return vault.openJson<string>(trx, row.tenant_id, webhookSecretContext(row.id), { ciphertext: row.secret_ciphertext, dataKeyId: row.secret_key_id });
}
