import { randomBytes, randomUUID } from 'node:crypto';
import { type TenantTransaction } from '../db';
import { open, seal } from './aesGcm';
import { type MasterKeyring } from './masterKeys';

/**
 * Envelope encryption for tenant secrets (connector credentials; webhook secrets can use the same).
 *
 * - Each tenant has a 256-bit data key, stored only wrapped (AES-256-GCM) by the master key
 *   `HUB_MASTER_KEY`, with the master key's id beside it.
 * - A secret is AES-256-GCM under the tenant's data key; its AAD names the tenant and the owner
 *   (`connector:<id>:credentials`), so a ciphertext copied to another row does not open.
 * - Rotating the master key re-wraps data keys only ({@link rewrapTenantDataKeys}); ciphertexts
 *   are untouched and keep their `dataKeyId`.
 *
 * All reads and writes run in the caller's tenant transaction (RLS applies). Unwrapped data keys
 * are cached in memory by id (a data key never changes; only its wrapping does).
 */
export interface Vault {
  readonly keyring: MasterKeyring;
  /** Encrypts `value` (JSON) for `context` under the tenant's active data key. */
  sealJson(trx: TenantTransaction, tenantId: string, context: string, value: unknown): Promise<SealedSecret>;
  /** Decrypts a {@link SealedSecret}; throws DecryptionError when it was altered or belongs elsewhere. */
  openJson<T = unknown>(trx: TenantTransaction, tenantId: string, context: string, sealed: SealedSecret): Promise<T>;
}

/** What a table stores for one secret. */
export interface SealedSecret {
  ciphertext: string;
  dataKeyId: string;
}

/** The AAD context of a connector's credentials. */
export const connectorCredentialsContext = (connectorId: string) => `connector:${connectorId}:credentials`;

/** The AAD of a secret: binds its ciphertext to the tenant and the owner (`context`). */
export const secretAad = (tenantId: string, context: string) => `hub-vault:v1:tenant:${tenantId}:${context}`;
const aadFor = secretAad;
const wrapAad = (tenantId: string, dataKeyId: string) => `hub-vault:v1:data-key:${tenantId}:${dataKeyId}`;

interface DataKeyRow {
  id: string;
  tenant_id: string;
  master_key_id: string;
  wrapped_key: string;
}

const CACHE_LIMIT = 10_000;

export function createVault(keyring: MasterKeyring): Vault {
  const cache = new Map<string, Buffer>();
  const remember = (id: string, key: Buffer) => {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(id, key);
  };

  const unwrap = (row: DataKeyRow): Buffer => {
    const cached = cache.get(row.id);
    if (cached) return cached;
    const master = keyring.find(row.master_key_id);
    if (!master) {
      throw new Error(
        `data key ${row.id} is wrapped by master key ${row.master_key_id}, which is neither HUB_MASTER_KEY nor listed in HUB_MASTER_KEY_PREVIOUS`,
      );
    }
    const key = open(master.key, row.wrapped_key, wrapAad(row.tenant_id, row.id));
    remember(row.id, key);
    return key;
  };

  const activeDataKey = async (trx: TenantTransaction, tenantId: string): Promise<{ id: string; key: Buffer }> => {
    let row = await trx<DataKeyRow>('vault_data_keys').where('tenant_id', tenantId).andWhere('active', true).first();
    if (!row) {
      const id = randomUUID();
      const key = randomBytes(32);
      await trx.raw(`? on conflict (tenant_id) where active do nothing`, [
        trx('vault_data_keys').insert({
          id,
          tenant_id: tenantId,
          master_key_id: keyring.current.id,
          wrapped_key: seal(keyring.current.key, key, wrapAad(tenantId, id)),
        }),
      ]);
      row = await trx<DataKeyRow>('vault_data_keys').where('tenant_id', tenantId).andWhere('active', true).first();
      if (!row) throw new Error(`no active data key for tenant ${tenantId}`);
    }
    return { id: row.id, key: unwrap(row) };
  };

  return {
    keyring,
    async sealJson(trx, tenantId, context, value) {
      const dataKey = await activeDataKey(trx, tenantId);
      return { ciphertext: seal(dataKey.key, Buffer.from(JSON.stringify(value), 'utf8'), aadFor(tenantId, context)), dataKeyId: dataKey.id };
    },
    async openJson<T>(trx: TenantTransaction, tenantId: string, context: string, sealed: SealedSecret): Promise<T> {
      let key = cache.get(sealed.dataKeyId);
      if (!key) {
        const row = await trx<DataKeyRow>('vault_data_keys').where({ id: sealed.dataKeyId, tenant_id: tenantId }).first();
        if (!row) throw new Error(`data key ${sealed.dataKeyId} not found for this tenant`);
        key = unwrap(row);
      }
      return JSON.parse(open(key, sealed.ciphertext, aadFor(tenantId, context)).toString('utf8')) as T;
    },
  };
}

/**
 * Re-wraps every data key of one tenant that is not under the current master key (unwrapping
 * with a previous one). Ciphertexts are not touched. Returns how many keys it re-wrapped.
 */
export async function rewrapTenantDataKeys(trx: TenantTransaction, tenantId: string, keyring: MasterKeyring): Promise<number> {
  const stale = await trx<DataKeyRow>('vault_data_keys').where({ tenant_id: tenantId }).whereNot({ master_key_id: keyring.current.id }).forUpdate();
  for (const row of stale) {
    const master = keyring.find(row.master_key_id);
    if (!master) {
      throw new Error(`data key ${row.id} of tenant ${tenantId} is wrapped by master key ${row.master_key_id}: add that key to HUB_MASTER_KEY_PREVIOUS`);
    }
    const key = open(master.key, row.wrapped_key, wrapAad(tenantId, row.id));
    await trx('vault_data_keys')
      .where({ id: row.id })
      .update({ master_key_id: keyring.current.id, wrapped_key: seal(keyring.current.key, key, wrapAad(tenantId, row.id)), rewrapped_at: trx.fn.now() });
  }
  return stale.length;
}
