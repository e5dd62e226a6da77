import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { ObjectTooLargeError } from '../../platform/files/fileStore';
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
    tenants: [acme, globex],
  } = useHub({ tenants: [{}, {}] });

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
});
