import { z } from 'zod';
import { backupKind, batchScanKind, migrationKind, restoreKind } from './bulkJobKinds';
import { allOf, describeAccess, routeAccess, type JobAccess } from './jobAccess';
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

const EXPORT_DATASETS = ['users', 'records', 'audit_logs', 'usage', 'invoices'] as const;
type ExportDataset = (typeof EXPORT_DATASETS)[number];

/** The route that reads each dataset: an export of it needs what that route needs (audit logs: admin, audit-logs:read). */
const datasetRoutes: Record<ExportDataset, string> = {
  users: 'GET /v1/users',
  records: 'GET /v1/records',
  audit_logs: 'GET /v1/audit-logs',
  usage: 'GET /v1/usage',
  invoices: 'GET /v1/invoices',
};
const exportBase: JobAccess = { role: 'manager', scopes: [] };
const exportAccess = (dataset: ExportDataset) => allOf(exportBase, routeAccess(datasetRoutes[dataset]));

const exportKind: JobKind = {
  kind: 'export',
  params: z.strictObject({
    dataset: z.enum(EXPORT_DATASETS),
    format: z.enum(['csv', 'json', 'ndjson', 'xml', 'xlsx', 'pdf']),
    filter: exportFilter.optional(),
  }),
  workflowType: WORKFLOW_TYPES.exportJob,
  access: (params) => exportAccess((params as { dataset: ExportDataset }).dataset),
  accessNote: `what reading the dataset needs: ${EXPORT_DATASETS.map((dataset) => `${dataset}: ${describeAccess(exportAccess(dataset))}`).join('. ')}`,
  storesOutput: true,
  summary: (params) => `Export ${(params as { dataset: string }).dataset} as ${(params as { format: string }).format}`,
};

const userImportAccess = allOf({ role: 'admin', scopes: [] }, routeAccess('POST /v1/users'));

const userImportKind: JobKind = {
  kind: 'user_import',
  params: z.strictObject({
    uploadId: z.uuid().describe('An upload (POST /v1/uploads) of a CSV or XLSX file with columns email, name, role'),
    format: z.enum(['csv', 'xlsx']).optional().describe('Default: from the upload’s sniffed content type'),
  }),
  workflowType: WORKFLOW_TYPES.userImportJob,
  // Imports can create users of any role, admins included: only admins may start them; they write users.
  access: () => userImportAccess,
  accessNote: describeAccess(userImportAccess),
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
