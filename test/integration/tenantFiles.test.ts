import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { ObjectTooLargeError } from '../../platform/files/fileStore';
import { StorageQuotaExceededError, storageUsage } from '../../platform/files/storageQuota';
import { findTenantFile, openTenantFile, storeTenantFile } from '../../platform/files/tenantFiles';
import { useHub } from '../support/harness';

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('tenant files (catalogue + store)', () => {
  const {
    hub,
    tenants: [acme, globex, initech],
    owner,
  } = useHub({ tenants: [{}, {}, {}] });

  it('stores, finds and streams a file only for its own tenant', async () => {
    const id = randomUUID();
    const stored = await storeTenantFile(hub, {
      tenantId: acme.id,
      id,
      purpose: 'upload',
      name: 'people.csv',
      contentType: 'text/csv',
      source: Readable.from([Buffer.from('email\na@x.io\n')]),
    });
    expect(stored).toMatchObject({ id, size: 13, purpose: 'upload', name: 'people.csv' });
    expect(stored.sha256).toMatch(/^[0-9a-f]{64}$/);

    const found = await findTenantFile(hub.db, acme.id, id, 'upload');
    expect(found?.sha256).toBe(stored.sha256);
    await expect(text(openTenantFile(hub.files, found!))).resolves.toBe('email\na@x.io\n');
    await expect(findTenantFile(hub.db, acme.id, id, 'job_output')).resolves.toBeUndefined();
    await expect(findTenantFile(hub.db, globex.id, id)).resolves.toBeUndefined();
  });

  it('replaces bytes and row when the same id is stored again (retried activities)', async () => {
    const id = randomUUID();
    await storeTenantFile(hub, {
      tenantId: acme.id,
      id,
      purpose: 'job_output',
      name: 'a.csv',
      contentType: 'text/csv',
      source: Readable.from([Buffer.from('one')]),
    });
    const again = await storeTenantFile(hub, {
      tenantId: acme.id,
      id,
      purpose: 'job_output',
      name: 'a.csv',
      contentType: 'text/csv',
      source: Readable.from([Buffer.from('second')]),
    });
    expect(again.size).toBe(6);
    await expect(text(openTenantFile(hub.files, again))).resolves.toBe('second');
  });

  it('refuses a file past its size limit and catalogues nothing', async () => {
    const id = randomUUID();
    await expect(
      storeTenantFile(hub, {
        tenantId: acme.id,
        id,
        purpose: 'upload',
        name: 'big.bin',
        contentType: 'application/octet-stream',
        source: Readable.from([Buffer.alloc(2048)]),
        maxBytes: 1024,
      }),
    ).rejects.toBeInstanceOf(ObjectTooLargeError);
    await expect(findTenantFile(hub.db, acme.id, id)).resolves.toBeUndefined();
    await expect(hub.files.stat(`${acme.id}/${id}`)).resolves.toBeUndefined();
  });

  it('keeps an exact byte count per tenant through inserts, replacements, expiry and deletes', async () => {
    const store = (id: string, body: string) =>
      storeTenantFile(hub, {
        tenantId: initech.id,
        id,
        purpose: 'job_output',
        name: 'a.csv',
        contentType: 'text/csv',
        source: Readable.from([Buffer.from(body)]),
      });
    const [one, two] = [randomUUID(), randomUUID()];
    await store(one, 'x'.repeat(10));
    await store(two, 'y'.repeat(5));
    expect(await storageUsage(hub.db, initech.id)).toEqual({ usedBytes: 15, files: 2 });
    await store(one, 'x'.repeat(30)); // a retried activity replaces the row
    expect(await storageUsage(hub.db, initech.id)).toEqual({ usedBytes: 35, files: 2 });
    await owner('files').where({ id: two }).update({ expired_at: owner.fn.now() });
    expect(await storageUsage(hub.db, initech.id)).toEqual({ usedBytes: 30, files: 1 });
    await owner('files').where({ id: one }).del();
    expect(await storageUsage(hub.db, initech.id)).toEqual({ usedBytes: 0, files: 0 });
    // Under RLS another tenant sees no usage of this one.
    expect(await storageUsage(hub.db, globex.id)).toEqual({ usedBytes: 0, files: 0 });
  });

  it('refuses a file past the quota, before or while streaming, and leaves nothing behind', async () => {
    const store = (id: string, bytes: number) =>
      storeTenantFile(hub, {
        tenantId: globex.id,
        id,
        purpose: 'upload',
        name: 'q.bin',
        contentType: 'application/octet-stream',
        source: Readable.from([Buffer.alloc(bytes)]),
        quotaBytes: 100,
        expiresInMs: 60_000,
      });
    const kept = randomUUID();
    expect((await store(kept, 70)).expiresAt!.getTime()).toBeGreaterThan(Date.now());
    const cut = randomUUID();
    await expect(store(cut, 40)).rejects.toBeInstanceOf(StorageQuotaExceededError);
    await expect(findTenantFile(hub.db, globex.id, cut)).resolves.toBeUndefined();
    await expect(hub.files.stat(`${globex.id}/${cut}`)).resolves.toBeUndefined();
    // Replacing a file counts only the difference.
    await expect(store(kept, 100)).resolves.toMatchObject({ size: 100 });
    await expect(store(randomUUID(), 1)).rejects.toBeInstanceOf(StorageQuotaExceededError);
    expect(await storageUsage(hub.db, globex.id)).toEqual({ usedBytes: 100, files: 1 });
  });
});
