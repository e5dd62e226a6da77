import { z } from 'zod';
import { backupKind, batchScanKind, migrationKind, restoreKind } from './bulkJobKinds';
import { type JobKind } from './jobKind';
import { WORKFLOW_TYPES } from '../../workflows/contracts';
import { instant } from '../http/instant';

const exportFilter = z.strictObject({
  from: instant().optional(),
  to: instant().optional(),
  role: z.enum(['admin', 'manager', 'member', 'viewer']).optional(),
  status: z.enum(['invited', 'active', 'suspended']).optional(),
  action: z.string().max(100).optional(),
  connectorId: z.uuid().optional().describe('records: one connector'),
  stream: z.string().max(200).optional().describe('records: one stream'),
});

const exportKind: JobKind = {
  kind: 'export',
  params: z.strictObject({
    dataset: z.enum(['users', 'records', 'audit_logs', 'usage', 'invoices']),
    format: z.enum(['csv', 'json', 'ndjson', 'xml', 'xlsx', 'pdf']),
    filter: exportFilter.optional(),
  }),
  workflowType: WORKFLOW_TYPES.exportJob,
  minRole: 'manager',
  summary: (params) => `Export ${(params as { dataset: string }).dataset} as ${(params as { format: string }).format}`,
};

const userImportKind: JobKind = {
  kind: 'user_import',
  params: z.strictObject({
    uploadId: z.uuid().describe('An upload (POST /v1/uploads) of a CSV or XLSX file with columns email, name, role'),
    format: z.enum(['csv', 'xlsx']).optional().describe('Default: from the upload’s sniffed content type'),
  }),
  workflowType: WORKFLOW_TYPES.userImportJob,
  // Imports can create users of any role, admins included: only admins may start them.
  minRole: 'admin',
  summary: (params) => `Import users from upload ${(params as { uploadId: string }).uploadId}`,
};

/** Every job kind by name; `sync` jobs start through the connector routes instead. */
export const jobKinds: Readonly<Record<string, JobKind>> = {
  export: exportKind,
  user_import: userImportKind,
  batch_scan: batchScanKind,
  migration: migrationKind,
  backup: backupKind,
  restore: restoreKind,
};
