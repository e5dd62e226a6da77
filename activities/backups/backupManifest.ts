/** One table in a backup. */
export interface BackupTableEntry {
  name: string;
  columns: string[];
  primaryKey: string[];
  rows: number;
  /** Order-independent checksum of the rows (sealed secret columns left out): what restores verify. */
  contentChecksum: string;
  /** The gzip NDJSON file: storage key, size and SHA-256 of its bytes. */
  file: { key: string; size: number; sha256: string };
}

/** What a backup holds (stored as the backup's manifest file and in `backups.manifest`). */
export interface BackupManifest {
  version: 1;
  backupId: string;
  tenantId: string;
  tenantSlug: string;
  createdAt: string;
  trigger: 'api' | 'schedule';
  /** The tenant's directory entry (not a tenant table): what a restore into a new slug starts from. */
  tenant?: { name: string; plan: string; settings: Record<string, unknown>; branding: Record<string, unknown> };
  tables: BackupTableEntry[];
}

/** File name of a table in a backup (storage key `<tenantId>/backup-<backupId>-<table>.ndjson.gz`). */
export const backupTableName = (backupId: string, table: string) => `backup-${backupId}-${table}.ndjson.gz`;
