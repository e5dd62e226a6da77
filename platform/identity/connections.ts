import { type Database, type TenantTransaction } from '../db';
import { type SealedSecret, type Vault } from '../vault/vault';

/** The settings of an OIDC connection (its client secret lives apart, sealed by the vault). */
export interface OidcConnectionConfig {
  issuer: string;
  clientId: string;
  scopes: string[];
  /** The ID-token claim listing the person's groups (e.g. `groups`); unset: roles never change at sign-in. */
  groupsClaim?: string;
}

/** The settings of a SAML connection: the IdP's metadata as received (from its URL or an upload). */
export interface SamlConnectionConfig {
  idpMetadataXml: string;
  idpMetadataUrl?: string;
  /** The attribute carrying the e-mail address; unset: the NameID. */
  emailAttribute?: string;
  /** The attribute listing the person's groups; unset: roles never change at sign-in. */
  groupsAttribute?: string;
  /** Responses no sign-in of the hub asked for (IdP-initiated); off unless the admin turns it on. */
  allowIdpInitiated: boolean;
}

export interface IdentityConnectionRow {
  id: string;
  tenant_id: string;
  type: 'oidc' | 'saml';
  name: string;
  enabled: boolean;
  config: OidcConnectionConfig | SamlConnectionConfig;
  secret_ciphertext: string | null;
  secret_data_key_id: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The AAD context of a connection's client secret. */
export const connectionSecretContext = (connectionId: string) => `identity-connection:${connectionId}:client-secret`;

/** The connection `id` of the tenant, or undefined. */
export async function findConnection(trx: TenantTransaction, id: string): Promise<IdentityConnectionRow | undefined> {
  return trx<IdentityConnectionRow>('identity_connections').where({ id }).first();
}

/** The tenant a connection belongs to (platform scope: the SAML endpoints name only the connection). */
export async function tenantOfConnection(db: Database, id: string): Promise<string | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return undefined;
  const row = await db.withPlatform((trx) => trx('identity_connections').where({ id }).first<{ tenant_id: string } | undefined>('tenant_id'));
  return row?.tenant_id;
}

/** Seals a client secret for the connection's row. */
export async function sealConnectionSecret(
  trx: TenantTransaction,
  vault: Vault,
  tenantId: string,
  connectionId: string,
  secret: string,
): Promise<SealedSecret> {
  return vault.sealJson(trx, tenantId, connectionSecretContext(connectionId), { clientSecret: secret });
}

/** The connection's client secret, if it has one. */
export async function openConnectionSecret(trx: TenantTransaction, vault: Vault, row: IdentityConnectionRow): Promise<string | undefined> {
  if (!row.secret_ciphertext || !row.secret_data_key_id) return undefined;
  const opened = await vault.openJson<{ clientSecret: string }>(trx, row.tenant_id, connectionSecretContext(row.id), {
    ciphertext: row.secret_ciphertext,
    dataKeyId: row.secret_data_key_id,
  });
  return opened.clientSecret;
}
