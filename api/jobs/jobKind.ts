import { type z } from 'zod';
import { type Role } from '../auth/roles';
import { type JobWorkflowType } from '../../workflows/contracts';

/**
 * A kind of job `POST /v1/jobs` can start: its parameters (strict zod), the workflow that runs
 * it, and the weakest role allowed to start it (on top of the route's own minimum).
 */
export interface JobKind<Params extends z.ZodType = z.ZodType> {
  kind: string;
  params: Params;
  workflowType: JobWorkflowType;
  minRole: Role;
  /** The job's output is a new tenant file: refused (413 STORAGE_QUOTA_EXCEEDED) when the tenant's storage is already full. */
  storesOutput?: boolean;
  /** One line for the Temporal UI (static summary of the run). */
  summary(params: z.infer<Params>): string;
}
