import { randomBytes } from 'node:crypto';
import { CREDENTIALS_UNREADABLE } from '../../activities/connectors/connectorRuntime';
import { findConnectorRow, openConnectorCredentials } from '../../platform/connectorStore';
import { DecryptionError, open } from '../../platform/vault/aesGcm';
import { createMasterKeyring, masterKeyId } from '../../platform/vault/masterKeys';
import { connectorCredentialsContext, createVault, secretAad } from '../../platform/vault/vault';
import { startScanPeer } from '../peers/scan/scanPeer';
import { failureOf, runtimeOf } from '../support/connectors';
import { registerScanConnector, registerStripeConnector } from '../support/connectorFactories';
import { type CreatedTenant } from '../support/hub';
import { useHub, useStarted } from '../support/harness';
import { exitOf, spawnEntry } from '../support/processes';

/** The credential vault: AES-256-GCM under per-tenant data keys wrapped by the master key. */
describe('credential vault', () => {
  const peer = useStarted(() => startScanPeer({ port: 0 }));
  const {
    hub,
    tenants: [tenant, other],
    owner,
  } = useHub({ tenants: [{}, {}] });
  const secret = `scan-key-${randomBytes(12).toString('hex')}`;
  const register = (who: CreatedTenant, apiKey = secret) => registerScanConnector(hub, who, peer, { apiKey });
  const openAs = (tenantId: string, connectorId: string) =>
    hub.db.withTenant(tenantId, async (trx) =>
      openConnectorCredentials<{ apiKey: string }>(trx, hub.vault, (await findConnectorRow(trx, tenantId, connectorId))!),
    );

  it('stores credentials only as ciphertext under an active data key wrapped by the master key', async () => {
    const id = await register(tenant);
    expect(await openAs(tenant.id, id)).toEqual({ apiKey: secret });
    const row = await owner('connectors').where({ id }).first();
    expect(row.credentials_ciphertext).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    const dataKey = await owner('vault_data_keys').where({ id: row.credentials_key_id }).first();
    expect(dataKey).toMatchObject({ tenant_id: tenant.id, active: true, master_key_id: masterKeyId(Buffer.from(hub.config.HUB_MASTER_KEY!, 'base64')) });
  });

  it('one flipped ciphertext byte fails to decrypt, and the runtime reports it as a non-retryable failure', async () => {
    const id = await register(tenant);
    const row = await owner('connectors').where({ id }).first();
    const [version, iv, tag, body] = row.credentials_ciphertext.split('.');
    const bytes = Buffer.from(body, 'base64url');
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    await owner('connectors')
      .where({ id })
      .update({ credentials_ciphertext: [version, iv, tag, bytes.toString('base64url')].join('.') });
    await expect(openAs(tenant.id, id)).rejects.toBeInstanceOf(DecryptionError);
    const failure = await failureOf(runtimeOf(hub)(tenant.id, id, ({ instance }) => instance.testConnection()));
    expect([failure.type, failure.nonRetryable]).toEqual([CREDENTIALS_UNREADABLE, true]);
  });

  it("a ciphertext does not open under another connector's or another tenant's AAD", async () => {
    const first = await register(tenant, 'first-secret');
    const second = await register(tenant, 'second-secret');
    const row = await owner('connectors').where({ id: first }).first();
    // Moved to another connector of the same tenant (same data key): the AAD names the connector.
    await owner('connectors').where({ id: second }).update({ credentials_ciphertext: row.credentials_ciphertext, credentials_key_id: row.credentials_key_id });
    await expect(openAs(tenant.id, second)).rejects.toBeInstanceOf(DecryptionError);
    // The right data key with another tenant's AAD fails too.
    const dataKey = await hub.db.withTenant(tenant.id, async (trx) => {
      await openConnectorCredentials(trx, hub.vault, row);
      const wrapped = await trx('vault_data_keys').where({ id: row.credentials_key_id }).first();
      const keyring = createMasterKeyring(hub.config.HUB_MASTER_KEY!);
      return open(keyring.current.key, wrapped.wrapped_key, `hub-vault:v1:data-key:${tenant.id}:${row.credentials_key_id}`);
    });
    expect(JSON.parse(open(dataKey, row.credentials_ciphertext, secretAad(tenant.id, connectorCredentialsContext(first))).toString())).toEqual({
      apiKey: 'first-secret',
    });
    expect(() => open(dataKey, row.credentials_ciphertext, secretAad(other.id, connectorCredentialsContext(first)))).toThrow(DecryptionError);
    // And the other tenant cannot even see the data key (RLS): its own data key is a different one.
    const otherId = await register(other, 'other-secret');
    const otherRow = await owner('connectors').where({ id: otherId }).first();
    expect(otherRow.credentials_key_id).not.toBe(row.credentials_key_id);
    const visible = await hub.db.withTenant(other.id, (trx) => trx('vault_data_keys').where({ id: row.credentials_key_id }));
    expect(visible).toEqual([]);
  });

  it('npm run vault:rotate re-wraps data keys under the new master key without touching ciphertexts; old rows still decrypt', async () => {
    const rotating = await hub.createTenant();
    const ids = [await register(rotating, 'alpha'), await register(rotating, 'beta')];
    const before = await owner('connectors').whereIn('id', ids).orderBy('id').select('id', 'credentials_ciphertext', 'credentials_key_id');
    const oldKey = hub.config.HUB_MASTER_KEY!;
    const newKey = randomBytes(32).toString('base64');
    // What `npm run vault:rotate -- --tenant <slug>` runs; limited to this tenant so parallel test files keep their keys.
    const run = (env: Record<string, string>) => {
      const child = spawnEntry('platform/vault/rotateMain.ts', { ...process.env, LOG_LEVEL: 'warn', ...env }, ['--tenant', rotating.slug]);
      return exitOf(child).then(({ code }) => ({ code, output: child.output() }));
    };

    const withoutOldKey = await run({ HUB_MASTER_KEY: newKey, HUB_MASTER_KEY_PREVIOUS: '' });
    expect(withoutOldKey.code).toBe(1);
    expect(withoutOldKey.output).toMatch(/add that key to HUB_MASTER_KEY_PREVIOUS/);

    const rotated = await run({ HUB_MASTER_KEY: newKey, HUB_MASTER_KEY_PREVIOUS: oldKey });
    expect(rotated.code).toBe(0);
    expect(rotated.output).toMatch(/now wrapped by mk_/);

    const after = await owner('connectors').whereIn('id', ids).orderBy('id').select('id', 'credentials_ciphertext', 'credentials_key_id');
    expect(after).toEqual(before);
    const dataKeys = await owner('vault_data_keys').where({ tenant_id: rotating.id });
    expect(dataKeys.map((key) => key.master_key_id)).toEqual([masterKeyId(Buffer.from(newKey, 'base64'))]);
    expect(dataKeys[0].rewrapped_at).not.toBeNull();

    const vault = createVault(createMasterKeyring(newKey));
    const opened = await hub.db.withTenant(rotating.id, async (trx) =>
      Promise.all(ids.map(async (id) => openConnectorCredentials<{ apiKey: string }>(trx, vault, (await findConnectorRow(trx, rotating.id, id))!))),
    );
    expect(opened.map((credentials) => credentials.apiKey).sort()).toEqual(['alpha', 'beta']);
    // A process that only knows the old key can no longer unwrap them.
    const stale = createVault(createMasterKeyring(oldKey));
    await expect(
      hub.db.withTenant(rotating.id, async (trx) => openConnectorCredentials(trx, stale, (await findConnectorRow(trx, rotating.id, ids[0]!))!)),
    ).rejects.toThrow(/HUB_MASTER_KEY_PREVIOUS/);
    const audit = await owner('audit_log').where({ tenant_id: rotating.id, action: 'vault.data_keys_rewrapped' });
    expect(audit).toHaveLength(1);
  });

  it('a dump of the connectors, data keys and audit tables holds no credential in clear; the API never returns them', async () => {
    const marker = `sk_test_${randomBytes(16).toString('hex')}`;
    const id = await registerStripeConnector(hub, tenant, peer, marker);
    const dump = (await owner.raw(`select string_agg(t::text, E'\\n') as text from (select * from connectors) t`)).rows[0].text as string;
    const keys = (await owner.raw(`select string_agg(t::text, E'\\n') as text from (select * from vault_data_keys) t`)).rows[0].text as string;
    const audit = (await owner.raw(`select string_agg(t::text, E'\\n') as text from (select * from audit_log) t`)).rows[0].text as string;
    for (const text of [dump, keys, audit]) {
      expect(text).not.toContain(marker);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(Buffer.from(marker).toString('base64'));
    }
    const single = await hub.request('GET', `/v1/connectors/${id}`, { key: tenant.key });
    const list = await hub.request('GET', '/v1/connectors?limit=100', { key: tenant.key });
    for (const response of [single, list]) {
      expect(response.status).toBe(200);
      expect(response.text).not.toContain(marker);
      expect(response.text).not.toMatch(/credentials|ciphertext/);
    }
  });
});
