import { z } from 'zod';
import { knownConnectorType } from '../../connectors/connectorTypes';
import { type ConnectorRow } from '../../platform/connectorStore';

/** A connector as the API shows it: never its credentials. */
export const connectorSchema = z.object({
  id: z.uuid(),
  type: z.string(),
  name: z.string(),
  config: z.record(z.string(), z.unknown()),
  status: z.enum(['active', 'paused']),
  pausedReason: z.string().nullable(),
  streams: z.array(z.string()),
  lastTest: z.object({ at: z.iso.datetime(), ok: z.boolean(), error: z.object({ code: z.string(), message: z.string() }).nullable() }).nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ConnectorView = z.infer<typeof connectorSchema>;

export function toConnectorView(row: ConnectorRow): ConnectorView {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    config: row.config,
    status: row.status,
    pausedReason: row.paused_reason,
    streams: streamNames(row.tenant_id, row.type, row.config),
    lastTest: row.last_tested_at ? { at: row.last_tested_at.toISOString(), ok: Boolean(row.last_test_ok), error: row.last_test_error } : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Stream names; a tenant definition's type must have been resolved in this process first (resolveConnectorTypesAsTenant). */
function streamNames(tenantId: string, type: string, config: Record<string, unknown>): string[] {
  try {
    return (
      knownConnectorType(tenantId, type)
        ?.streams(config as never)
        .map((stream) => stream.name) ?? []
    );
  } catch {
    return [];
  }
}

/** Columns the views read (never the ciphertext). */
export const connectorViewColumns = [
  'id',
  'tenant_id',
  'type',
  'name',
  'config',
  'status',
  'paused_reason',
  'paused_at',
  'last_tested_at',
  'last_test_ok',
  'last_test_error',
  'created_by',
  'created_at',
  'updated_at',
] as const;

export const connectorIdParams = z.strictObject({ id: z.uuid() });
