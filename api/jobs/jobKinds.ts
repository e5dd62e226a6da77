import { z } from 'zod';
import { type Role } from '../auth/roles';
import { backupKind, batchScanKind, migrationKind, restoreKind } from './bulkJobKinds';

/**
 * A kind of job `POST /v1/jobs` can start: its parameters (strict zod), the workflow that runs
 * it, and the weakest role allowed to start it (on top of the route's own minimum).
 */
export interface JobKind<Params extends z.ZodType = z.ZodType> {
  kind: string;
  params: Params;
  workflowType: string;
  minRole: Role;
  /** One line for the Temporal UI (static summary of the run). */
  summary(params: z.infer<Params>): string;
}

const exportFilter = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  role: z.enum(['admin', 'manager', 'member', 'viewer']).optional(),
  status: z.enum(['invited', 'active', 'suspended']).optional(),
  action: z.string().max(100).optional(),
});

const exportKind: JobKind = {
  kind: 'export',
  params: z.strictObject({
    dataset: z.enum(['users', 'audit_logs', 'invoices']),
    format: z.enum(['csv', 'json', 'ndjson']),
    filter: exportFilter.optional(),
  }),
  workflowType: 'exportJob',
  minRole: 'manager',
  summary: (params) => `Export ${(params as { dataset: string }).dataset} as ${(params as { format: string }).format}`,
};

/** Every job kind by name; `sync` jobs start through the connector routes instead. */
export const jobKinds: Readonly<Record<string, JobKind>> = {
  export: exportKind,
  batch_scan: batchScanKind,
  migration: migrationKind,
  backup: backupKind,
  restore: restoreKind,
};
