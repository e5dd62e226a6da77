import { type AnyRoute } from '../http/route';
import { createTenant } from './admin/createTenant';
import { listTenants } from './admin/listTenants';
import { getDocs } from './docs/getDocs';
import { getOpenApiDocument } from './docs/getOpenApiDocument';
import { getHealthz } from './health/getHealthz';
import { getMetrics } from './health/getMetrics';
import { getReadyz } from './health/getReadyz';
import { getTenant } from './tenant/getTenant';
import { createConnector } from './connectors/createConnector';
import { deleteConnector } from './connectors/deleteConnector';
import { getConnector } from './connectors/getConnector';
import { listConnectors } from './connectors/listConnectors';
import { listConnectorTypes } from './connectors/listConnectorTypes';
import { testConnector } from './connectors/testConnector';
import { updateConnector } from './connectors/updateConnector';

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
  // connectors
  listConnectorTypes,
  createConnector,
  listConnectors,
  getConnector,
  updateConnector,
  deleteConnector,
  testConnector,
];
