import { z } from 'zod';
import { requiredScope } from '../auth/scopes';
import { allOf, describeAccess, routeAccess, type JobAccess, type PlatformAdminOnly } from './jobAccess';
import { type JobKind } from './jobKind';
import { WORKFLOW_TYPES } from '../../workflows/contracts';

const slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, 'lowercase letters, digits and dashes, 1-48 characters');
const inlineScanItem = z.record(z.string(), z.unknown());

/** Running a connector (scans, a migration's legacy stream) needs what a sync of it needs. */
const connectorRun = () => routeAccess('POST /v1/connectors/:id/syncs');

/** `batch_scan`: medication items inline (≤ 1,000) or from an upload (CSV or NDJSON, any size). */
export const batchScanKind: JobKind = {
  kind: 'batch_scan',
  params: z
    .strictObject({
      items: z.array(inlineScanItem).min(1).max(1_000).optional().describe('Items {id, medication | ndc, patientRef?}'),
      uploadId: z.uuid().optional().describe('An upload of items (CSV with a header row, or NDJSON)'),
      connectorId: z.uuid().optional().describe('The scan connector (default: the tenant’s only one)'),
      fhirConnectorId: z.uuid().optional().describe('Write scanned items back to this FHIR connector as Observations'),
      itemsPerChunk: z.number().int().min(10).max(500).optional(),
      concurrency: z.number().int().min(1).max(16).optional(),
      maxAttemptsPerItem: z.number().int().min(1).max(5).optional(),
    })
    .refine((params) => (params.items === undefined) !== (params.uploadId === undefined), 'pass either items or uploadId')
    .meta({ oneOf: [{ required: ['items'] }, { required: ['uploadId'] }], description: 'Exactly one of items or uploadId' }),
  workflowType: WORKFLOW_TYPES.batchScanJob,
  // It runs the scan connector (and writes back to a FHIR connector): what a sync of a connector needs.
  access: () => allOf({ role: 'manager', scopes: [] }, connectorRun()),
  accessNote: `${describeAccess(allOf({ role: 'manager', scopes: [] }, connectorRun()))} (it runs the scan connector, like a sync)`,
  summary: (params) => {
    const { items, uploadId } = params as { items?: unknown[]; uploadId?: string };
    return items ? `Batch scan of ${items.length} items` : `Batch scan of upload ${uploadId}`;
  },
};

const userFields = ['email', 'name', 'role', 'status'] as const;

const migrationBase: JobAccess = { role: 'admin', scopes: [] };
/** What a migration writes: users as `POST /v1/users` does, records of the records area. */
const migrationTargets: Record<'users' | 'records', JobAccess> = {
  users: routeAccess('POST /v1/users'),
  records: { role: 'member', scopes: [requiredScope('post', '/v1/records')] },
};

/** `migration`: a legacy dataset (upload or connector stream) into users or records, mapped field by field. */
export const migrationKind: JobKind = {
  kind: 'migration',
  params: z
    .strictObject({
      uploadId: z.uuid().optional().describe('A legacy file (CSV with a header row, or NDJSON)'),
      connectorId: z.uuid().optional().describe('A connector whose stream is the legacy dataset'),
      stream: z.string().min(1).max(200).optional().describe('The connector stream to read'),
      target: z.enum(['users', 'records']).default('users'),
      records: z
        .strictObject({ connectorId: z.uuid(), stream: z.string().min(1).max(200) })
        .optional()
        .describe('Where migrated records belong (target records)'),
      mapping: z.record(z.string().min(1).max(200), z.string().min(1).max(200)).describe('target field → source field'),
      dryRun: z.boolean().optional(),
      expect: z
        .strictObject({
          rows: z.number().int().min(0).optional(),
          checksum: z
            .string()
            .regex(/^[0-9a-f]{64}$/)
            .optional(),
        })
        .optional()
        .describe('Control totals of the legacy system, checked by verify'),
    })
    .superRefine((params, ctx) => {
      if ((params.uploadId === undefined) === (params.connectorId === undefined))
        ctx.addIssue({ code: 'custom', message: 'pass either uploadId or connectorId', path: ['uploadId'] });
      if (params.connectorId !== undefined && params.stream === undefined)
        ctx.addIssue({ code: 'custom', message: 'stream is required with connectorId', path: ['stream'] });
      if (params.target === 'users') {
        for (const field of Object.keys(params.mapping)) {
          if (!(userFields as readonly string[]).includes(field))
            ctx.addIssue({ code: 'custom', message: `users have no field ${field}`, path: ['mapping', field] });
        }
        for (const field of ['email', 'name'])
          if (!params.mapping[field]) ctx.addIssue({ code: 'custom', message: `mapping.${field} is required`, path: ['mapping', field] });
      } else {
        if (!params.records) ctx.addIssue({ code: 'custom', message: 'records {connectorId, stream} is required for target records', path: ['records'] });
        if (!params.mapping.externalId) ctx.addIssue({ code: 'custom', message: 'mapping.externalId is required', path: ['mapping', 'externalId'] });
      }
    })
    // The rules across fields, as the document states them (the superRefine above checks them).
    .meta({
      description:
        'Exactly one of uploadId or connectorId (with stream). Target users: mapping names email and name, and only the fields email, name, role, status; target records: records and mapping.externalId are required',
      allOf: [
        {
          oneOf: [
            { required: ['uploadId'], not: { required: ['connectorId'] } },
            { required: ['connectorId', 'stream'], not: { required: ['uploadId'] } },
          ],
        },
        {
          if: { required: ['target'], properties: { target: { const: 'records' } } },
          then: { required: ['records'], properties: { mapping: { required: ['externalId'] } } },
          else: { properties: { mapping: { required: ['email', 'name'], propertyNames: { enum: [...userFields] } } } },
        },
      ],
    }),
  workflowType: WORKFLOW_TYPES.migrationJob,
  access: (params) => {
    const { connectorId, target } = params as { connectorId?: string; target: 'users' | 'records' };
    return allOf(migrationBase, migrationTargets[target], ...(connectorId === undefined ? [] : [connectorRun()]));
  },
  accessNote:
    `${describeAccess(migrationBase)}, and what it writes: target users ${migrationTargets.users.scopes.join(', ')}, ` +
    `target records ${migrationTargets.records.scopes.join(', ')}; from a connector stream also ${connectorRun().scopes.join(', ')}`,
  summary: (params) => {
    const { target, dryRun } = params as { target: string; dryRun?: boolean };
    return `${dryRun ? 'Dry run of a migration' : 'Migration'} into ${target}`;
  },
};

const backupAccess: JobAccess = { role: 'admin', scopes: ['*:read'] };
const restoreAccess: JobAccess = { role: 'admin', scopes: ['*:write'] };
const restoreIntoNewTenant: PlatformAdminOnly = {
  platformAdminOnly: true,
  reason: 'restoring into a new slug creates a tenant; the platform admin does it with POST /v1/admin/tenants/{id}/restores',
};

/** `backup`: every tenant table as gzip NDJSON + manifest. */
export const backupKind: JobKind = {
  kind: 'backup',
  params: z.strictObject({}),
  workflowType: WORKFLOW_TYPES.backupJob,
  // It reads every table of the tenant, and its output is downloadable.
  access: () => backupAccess,
  accessNote: `${describeAccess(backupAccess)} (it reads every table)`,
  summary: () => 'Logical backup of the tenant',
};

/** `restore`: a backup into this tenant (`confirm: true`) or into a new tenant slug. */
export const restoreKind: JobKind = {
  kind: 'restore',
  params: z
    .strictObject({
      backupId: z.uuid(),
      targetTenantSlug: slug
        .optional()
        .describe('Restore into a new tenant with this slug: the platform admin only (POST /v1/admin/tenants/{id}/restores); a tenant key gets 403'),
      confirm: z.boolean().optional().describe('Required (true) to overwrite this tenant’s data'),
    })
    .refine((params) => params.targetTenantSlug !== undefined || params.confirm === true, {
      message: 'restoring into this tenant overwrites its data: pass confirm: true',
      path: ['confirm'],
    })
    .meta({
      anyOf: [{ required: ['targetTenantSlug'] }, { required: ['confirm'], properties: { confirm: { const: true } } }],
      description: 'targetTenantSlug, or confirm: true to restore into this tenant',
    }),
  workflowType: WORKFLOW_TYPES.restoreJob,
  // In place it rewrites every table; into a new slug it creates a platform tenant, which only the platform admin may.
  access: (params) => ((params as { targetTenantSlug?: string }).targetTenantSlug === undefined ? restoreAccess : restoreIntoNewTenant),
  accessNote: `in place, ${describeAccess(restoreAccess)}; into a new tenant (targetTenantSlug), the platform admin only, through POST /v1/admin/tenants/{id}/restores`,
  summary: (params) => {
    const { backupId, targetTenantSlug } = params as { backupId: string; targetTenantSlug?: string };
    return targetTenantSlug ? `Restore backup ${backupId} into new tenant ${targetTenantSlug}` : `Restore backup ${backupId} in place`;
  },
};
