import { tenantSettingsSchema } from './settings';

/** Days a backup is kept when the tenant has not chosen (settings `backups.retentionDays`). */
export const DEFAULT_BACKUP_RETENTION_DAYS = 30;

/** A tenant's backup settings with defaults filled in. */
export function effectiveBackupSettings(stored: Record<string, unknown>): { retentionDays: number; daily: boolean } {
  const parsed = tenantSettingsSchema.safeParse(stored);
  const backups = parsed.success ? parsed.data.backups : undefined;
  return { retentionDays: backups?.retentionDays ?? DEFAULT_BACKUP_RETENTION_DAYS, daily: backups?.daily ?? true };
}
