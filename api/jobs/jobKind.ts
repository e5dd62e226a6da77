import { type z } from 'zod';
import { type JobAccess, type PlatformAdminOnly } from './jobAccess';
import { type JobWorkflowType } from '../../workflows/contracts';

/**
 * A kind of job `POST /v1/jobs` can start: its parameters (strict zod), the workflow that runs
 * it, and who may start it and download its output (on top of the route's own minimum).
 */
export interface JobKind<Params extends z.ZodType = z.ZodType> {
  kind: string;
  params: Params;
  workflowType: JobWorkflowType;
  /**
   * The role and key scopes of the data the job reads and writes, for these parameters (an
   * export's dataset); a {@link PlatformAdminOnly} when no tenant key may start it.
   */
  access(params: z.infer<Params>): JobAccess | PlatformAdminOnly;
  /** The same rule in words, for the OpenAPI document. */
  accessNote: string;
  /** The job's output is a new tenant file: refused (413 STORAGE_QUOTA_EXCEEDED) when the tenant's storage is already full. */
  storesOutput?: boolean;
  /** One line for the Temporal UI (static summary of the run). */
  summary(params: z.infer<Params>): string;
}
