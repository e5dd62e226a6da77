import { type FileStore } from '../../platform/files/fileStore';

/** The names (`<fileId>`, sorted) of what the store holds for a tenant, whichever store the hub runs on. */
export async function storedNames(files: FileStore, tenantId: string): Promise<string[]> {
  return (await files.keysOf(tenantId)).map((key) => key.slice(tenantId.length + 1));
}
