import { type AnyRoute } from '../http/route';
import { createTenant } from './admin/createTenant';
import { listTenants } from './admin/listTenants';
import { getDocs } from './docs/getDocs';
import { getOpenApiDocument } from './docs/getOpenApiDocument';
import { getHealthz } from './health/getHealthz';
import { cancelJob } from './jobs/cancelJob';
import { createJob } from './jobs/createJob';
import { downloadJobOutput } from './jobs/downloadJobOutput';
import { getJob } from './jobs/getJob';
import { listJobs } from './jobs/listJobs';
import { getMetrics } from './health/getMetrics';
import { getReadyz } from './health/getReadyz';
import { getTenant } from './tenant/getTenant';

/** Every route of the API, by area. The OpenAPI document and the router are both built from this list. */
export const routes: readonly AnyRoute[] = [
  // health and docs
  getHealthz,
  getReadyz,
  getMetrics,
  getOpenApiDocument,
  getDocs,
  // platform admin
  createTenant,
  listTenants,
  // tenant
  getTenant,
  // jobs
  createJob,
  listJobs,
  getJob,
  cancelJob,
  downloadJobOutput,
];
