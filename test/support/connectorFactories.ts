import { type FhirPeer } from '../peers/fhir/fhirPeer';
import { type RunningSalesforcePeer } from '../peers/salesforce/salesforcePeer';
import { STRIPE_TEST_KEY } from '../peers/stripe/stripePeer';
import { registerConnector } from './connectors';
import { type CreatedTenant, type TestHub } from './hub';

/**
 * One factory per connector type: registers a connector of that type through the API against its
 * peer, with the config and credentials the peer accepts unless the test asks for others.
 * Each answers the connector's id.
 */

/** A scan connector at `peer`; `apiKey` when the peer checks one, `batchSize` for the provider's batches. */
export function registerScanConnector(
  hub: TestHub,
  tenant: CreatedTenant,
  peer: { url: string },
  options: { apiKey?: string; batchSize?: number } = {},
): Promise<string> {
  const config = { endpoint: peer.url, ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }) };
  return registerConnector(hub, tenant, { type: 'scan', config, credentials: options.apiKey === undefined ? {} : { apiKey: options.apiKey } });
}

/** A Salesforce connector at `peer`, by default with a fresh access token the peer issued. */
export function registerSalesforceConnector(
  hub: Pick<TestHub, 'request'>,
  tenant: CreatedTenant,
  peer: RunningSalesforcePeer,
  options: { name?: string; config?: Record<string, unknown>; credentials?: Record<string, unknown> } = {},
): Promise<string> {
  return registerConnector(hub, tenant, {
    type: 'salesforce',
    ...(options.name === undefined ? {} : { name: options.name }),
    config: { instanceUrl: peer.url, loginUrl: peer.url, ...options.config },
    credentials: options.credentials ?? { accessToken: peer.issueAccessToken() },
  });
}

/** A Stripe connector at `peer`, by default with the key the peer accepts. */
export function registerStripeConnector(hub: TestHub, tenant: CreatedTenant, peer: { url: string }, secretKey = STRIPE_TEST_KEY): Promise<string> {
  return registerConnector(hub, tenant, { type: 'stripe', config: { apiBase: peer.url }, credentials: { secretKey } });
}

/** A FHIR connector at `peer` with a static bearer token the peer issued; `config` adds e.g. `readMode`. */
export function registerFhirConnector(hub: TestHub, tenant: CreatedTenant, peer: FhirPeer, config: Record<string, unknown> = {}): Promise<string> {
  return registerConnector(hub, tenant, {
    type: 'fhir',
    config: { baseUrl: peer.baseUrl, ...config },
    credentials: { bearerToken: peer.auth.issueStaticToken() },
  });
}
