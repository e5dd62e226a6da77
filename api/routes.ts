import { type AnyRoute } from './http/route';
import { createTenant } from './tenants/createTenant';
import { getBillingRun } from './billing/getBillingRun';
import { listBillingRuns } from './billing/listBillingRuns';
import { startBillingRun } from './billing/startBillingRun';
import { listTenants } from './tenants/listTenants';
import { updateTenantAsAdmin } from './tenants/updateTenantAsAdmin';
import { createTenantApiKey } from './tenants/createTenantApiKey';
import { createTenantRestore } from './tenants/createTenantRestore';
import { deleteNetworkAllowances } from './tenants/deleteNetworkAllowances';
import { listNetworkAllowances } from './tenants/listNetworkAllowances';
import { putNetworkAllowances } from './tenants/putNetworkAllowances';
import { createApiKey } from './apiKeys/createApiKey';
import { getApiKey } from './apiKeys/getApiKey';
import { listApiKeys } from './apiKeys/listApiKeys';
import { revokeApiKey } from './apiKeys/revokeApiKey';
import { listAuditLogs } from './audit/listAuditLogs';
import { exportAuditLogs } from './audit/exportAuditLogs';
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
import { getTenant } from './tenants/getTenant';
import { getThemeCss } from './tenants/getThemeCss';
import { updateTenant } from './tenants/updateTenant';
import { createUpload } from './uploads/createUpload';
import { getUsage } from './usage/getUsage';
import { createUser } from './users/createUser';
import { deleteUser } from './users/deleteUser';
import { getUser } from './users/getUser';
import { listUsers } from './users/listUsers';
import { updateUser } from './users/updateUser';
import { createConnector } from './connectors/createConnector';
import { deleteConnector } from './connectors/deleteConnector';
import { getConnector } from './connectors/getConnector';
import { listConnectors } from './connectors/listConnectors';
import { listConnectorTypes } from './connectors/listConnectorTypes';
import { testConnector } from './connectors/testConnector';
import { updateConnector } from './connectors/updateConnector';
import { checkConnectorDefinition } from './connectorDefinitions/checkConnectorDefinition';
import { createConnectorDefinition } from './connectorDefinitions/createConnectorDefinition';
import { deleteConnectorDefinition } from './connectorDefinitions/deleteConnectorDefinition';
import { getConnectorDefinition } from './connectorDefinitions/getConnectorDefinition';
import { getConnectorDefinitionSchema } from './connectorDefinitions/getConnectorDefinitionSchema';
import { listConnectorDefinitions } from './connectorDefinitions/listConnectorDefinitions';
import { getDashboard } from './analytics/getDashboard';
import { createWebhook } from './webhooks/createWebhook';
import { deleteWebhook } from './webhooks/deleteWebhook';
import { getWebhook } from './webhooks/getWebhook';
import { listWebhookDeliveries } from './webhooks/listWebhookDeliveries';
import { listWebhooks } from './webhooks/listWebhooks';
import { retryWebhookDelivery } from './webhooks/retryWebhookDelivery';
import { updateWebhook } from './webhooks/updateWebhook';
import { getInvoice } from './billing/getInvoice';
import { getUpcomingInvoice } from './billing/getUpcomingInvoice';
import { listInvoices } from './billing/listInvoices';
import { receiveStripeWebhook } from './stripe/receiveStripeWebhook';
import { deleteConnectorSchedule } from './syncs/deleteConnectorSchedule';
import { getConnectorSchedule } from './syncs/getConnectorSchedule';
import { listConnectorSyncs } from './syncs/listConnectorSyncs';
import { pauseConnector } from './syncs/pauseConnector';
import { putConnectorSchedule } from './syncs/putConnectorSchedule';
import { resumeConnector } from './syncs/resumeConnector';
import { startConnectorSync } from './syncs/startConnectorSync';
import { listRecords } from './records/listRecords';
import { decodePayloads } from './codec/decodePayloads';
import { encodePayloads } from './codec/encodePayloads';
import { sendUserInvitation } from './users/sendUserInvitation';
import { acceptInvitation } from './sessions/acceptInvitation';
import { completePasswordReset } from './sessions/completePasswordReset';
import { getSession } from './sessions/getSession';
import { requestPasswordReset } from './sessions/requestPasswordReset';
import { signIn } from './sessions/signIn';
import { signOut } from './sessions/signOut';
import { signOutEverywhere } from './sessions/signOutEverywhere';
import { confirmMfaEnrolment } from './sessions/confirmMfaEnrolment';
import { startMfaEnrolment } from './sessions/startMfaEnrolment';
import { getMfaStatus } from './sessions/getMfaStatus';
import { disableMfa } from './sessions/disableMfa';
import { regenerateRecoveryCodes } from './sessions/regenerateRecoveryCodes';
import { listOwnSessions } from './sessions/listOwnSessions';
import { createOperatorSession } from './operatorSessions/createOperatorSession';
import { deleteOperatorSession } from './operatorSessions/deleteOperatorSession';
import { getOperatorSession } from './operatorSessions/getOperatorSession';
import { getPublicBranding } from './tenants/getPublicBranding';
import { getScimToken } from './scimTokens/getScimToken';
import { createScimToken } from './scimTokens/createScimToken';
import { revokeScimToken } from './scimTokens/revokeScimToken';
import { listScimRequests } from './scimTokens/listScimRequests';
import { getScimServiceProviderConfig } from './scim/discovery/getScimServiceProviderConfig';
import { listScimResourceTypes } from './scim/discovery/listScimResourceTypes';
import { getScimResourceType } from './scim/discovery/getScimResourceType';
import { listScimSchemas } from './scim/discovery/listScimSchemas';
import { getScimSchema } from './scim/discovery/getScimSchema';
import { searchScimResources } from './scim/discovery/searchScimResources';
import { listScimUsers } from './scim/users/listScimUsers';
import { getScimUser } from './scim/users/getScimUser';
import { createScimUser } from './scim/users/createScimUser';
import { replaceScimUser } from './scim/users/replaceScimUser';
import { patchScimUser } from './scim/users/patchScimUser';
import { deleteScimUser } from './scim/users/deleteScimUser';
import { listScimGroups } from './scim/groups/listScimGroups';
import { getScimGroup } from './scim/groups/getScimGroup';
import { createScimGroup } from './scim/groups/createScimGroup';
import { replaceScimGroup } from './scim/groups/replaceScimGroup';
import { patchScimGroup } from './scim/groups/patchScimGroup';
import { deleteScimGroup } from './scim/groups/deleteScimGroup';
import { cancelLimitRaise } from './limits/cancelLimitRaise';
import { createLimitRaise } from './limits/createLimitRaise';
import { listLimitRaises } from './limits/listLimitRaises';
import { createWalletTopUp } from './wallet/createWalletTopUp';
import { exportWalletLedger } from './wallet/exportWalletLedger';
import { getWallet } from './wallet/getWallet';
import { listWalletLedger } from './wallet/listWalletLedger';
import { updateWalletSettings } from './wallet/updateWalletSettings';
import { getIdentitySettings } from './identity/getIdentitySettings';
import { putIdentitySettings } from './identity/putIdentitySettings';
import { listIdentityDomains } from './identity/listIdentityDomains';
import { createIdentityDomain } from './identity/createIdentityDomain';
import { verifyIdentityDomain } from './identity/verifyIdentityDomain';
import { deleteIdentityDomain } from './identity/deleteIdentityDomain';
import { verifyIdentityDomainAsAdmin } from './identity/verifyIdentityDomainAsAdmin';
import { listIdentityConnections } from './identity/listIdentityConnections';
import { createIdentityConnection } from './identity/createIdentityConnection';
import { getIdentityConnection } from './identity/getIdentityConnection';
import { updateIdentityConnection } from './identity/updateIdentityConnection';
import { deleteIdentityConnection } from './identity/deleteIdentityConnection';
import { startConnectionTest } from './identity/startConnectionTest';
import { getConnectionTest } from './identity/getConnectionTest';
import { discoverSso } from './sso/discoverSso';
import { startSsoSignIn } from './sso/startSsoSignIn';
import { receiveOidcCallback } from './sso/receiveOidcCallback';
import { getSamlMetadata } from './sso/getSamlMetadata';
import { receiveSamlResponse } from './sso/receiveSamlResponse';

/** Every route of the API, by area. The OpenAPI document and the router are both built from this list. */
export const routes: readonly AnyRoute[] = [
  // health and docs
  getHealthz,
  getReadyz,
  getMetrics,
  getOpenApiDocument,
  getDocs,
  // platform admin (the console's operator session: the admin token exchanged for a cookie)
  createOperatorSession,
  getOperatorSession,
  deleteOperatorSession,
  createTenant,
  listTenants,
  updateTenantAsAdmin,
  createTenantApiKey,
  createTenantRestore,
  // Temporal codec server (platform admin)
  encodePayloads,
  decodePayloads,
  listNetworkAllowances,
  putNetworkAllowances,
  deleteNetworkAllowances,
  createLimitRaise,
  listLimitRaises,
  cancelLimitRaise,
  // tenant
  getTenant,
  // jobs
  createJob,
  listJobs,
  getJob,
  cancelJob,
  downloadJobOutput,
  createUpload,
  updateTenant,
  getThemeCss,
  // users, API keys, audit, usage (control plane)
  listUsers,
  getUser,
  createUser,
  updateUser,
  deleteUser,
  listApiKeys,
  getApiKey,
  createApiKey,
  revokeApiKey,
  listAuditLogs,
  exportAuditLogs,
  getUsage,
  // connectors
  listConnectorTypes,
  createConnector,
  listConnectors,
  getConnector,
  updateConnector,
  deleteConnector,
  // connector definitions (declarative connector types; the schema route before /:id)
  getConnectorDefinitionSchema,
  createConnectorDefinition,
  listConnectorDefinitions,
  getConnectorDefinition,
  deleteConnectorDefinition,
  checkConnectorDefinition,
  testConnector,
  // outbound webhooks, analytics
  listWebhooks,
  createWebhook,
  getWebhook,
  updateWebhook,
  deleteWebhook,
  listWebhookDeliveries,
  retryWebhookDelivery,
  getDashboard,
  // billing (upcoming before :id, which would take "upcoming" for an id)
  startBillingRun,
  listBillingRuns,
  getBillingRun,
  listInvoices,
  getUpcomingInvoice,
  getInvoice,
  getWallet,
  updateWalletSettings,
  createWalletTopUp,
  listWalletLedger,
  exportWalletLedger,
  receiveStripeWebhook,
  // syncs and records
  startConnectorSync,
  listConnectorSyncs,
  getConnectorSchedule,
  putConnectorSchedule,
  deleteConnectorSchedule,
  pauseConnector,
  resumeConnector,
  listRecords,
  // console sign-in and sessions (docs/sessions.md)
  sendUserInvitation,
  acceptInvitation,
  signIn,
  getSession,
  signOut,
  signOutEverywhere,
  requestPasswordReset,
  completePasswordReset,
  startMfaEnrolment,
  confirmMfaEnrolment,
  getMfaStatus,
  disableMfa,
  regenerateRecoveryCodes,
  listOwnSessions,
  getPublicBranding,
  // SCIM 2.0 provisioning (docs/scim.md): the token and request log for admins, the service for identity providers
  getScimToken,
  createScimToken,
  revokeScimToken,
  listScimRequests,
  getScimServiceProviderConfig,
  listScimResourceTypes,
  getScimResourceType,
  listScimSchemas,
  getScimSchema,
  searchScimResources,
  listScimUsers,
  getScimUser,
  createScimUser,
  replaceScimUser,
  patchScimUser,
  deleteScimUser,
  listScimGroups,
  getScimGroup,
  createScimGroup,
  replaceScimGroup,
  patchScimGroup,
  deleteScimGroup,
  // enterprise identity: settings, domains, connections (docs/sso.md)
  getIdentitySettings,
  putIdentitySettings,
  listIdentityDomains,
  createIdentityDomain,
  verifyIdentityDomain,
  deleteIdentityDomain,
  verifyIdentityDomainAsAdmin,
  listIdentityConnections,
  createIdentityConnection,
  getIdentityConnection,
  updateIdentityConnection,
  deleteIdentityConnection,
  startConnectionTest,
  getConnectionTest,
  // single sign-on (public: the browser arrives before anyone is signed in)
  discoverSso,
  startSsoSignIn,
  receiveOidcCallback,
  getSamlMetadata,
  receiveSamlResponse,
];
