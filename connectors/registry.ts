import { salesforceConnector } from './salesforce';
import { scanConnector } from './scan';
import { stripeConnector } from './stripe';
import { fhirConnector } from './fhir';
import { odataConnector } from './odata';
import { quickbooksConnector } from './quickbooks';
import { shippedConnectorTypes } from './definitions';
import { type ConnectorDefinition } from './types';

/**
 * Every connector type the hub offers, by `type`. Adding a connector is one folder under
 * connectors/ plus one line here.
 */
export const connectorRegistry: Readonly<Record<string, ConnectorDefinition>> = {
  salesforce: salesforceConnector,
  stripe: stripeConnector,
  scan: scanConnector,
  quickbooks: quickbooksConnector,
  odata: odataConnector,
  fhir: fhirConnector,
  // Declarative definitions shipped in connectors/definitions/*.json.
  ...shippedConnectorTypes,
};

/** The definition of `type`, or undefined for an unknown type. */
export function findConnector(type: string): ConnectorDefinition | undefined {
  return Object.prototype.hasOwnProperty.call(connectorRegistry, type) ? connectorRegistry[type] : undefined;
}
