import { fhirPeer } from './fhir/fhirPeer';
import { odataPeer } from './odata/odataPeer';
import { oracleFusionPeer } from './oracle/oracleFusionPeer';
import { type PeerStarter } from './peer';
import { startSalesforcePeer, type SalesforcePeerOptions } from './salesforce/salesforcePeer';
import { startScanPeer, type ScanPeerOptions } from './scan/scanPeer';
import { startStripeMockPeer } from './stripe/stripeMockPeer';
import { startStripePeer, type StripePeerOptions } from './stripe/stripePeer';
import { quickbooksPeer } from './quickbooks/quickbooksPeer';
import { sagePeer } from './sage/sagePeer';

/**
 * Every peer by name, for `npm run peer -- <name> --port 0` and for tests. One line per peer.
 */
export const peers: Readonly<Record<string, PeerStarter>> = {
  salesforce: (options) => startSalesforcePeer(options as SalesforcePeerOptions),
  stripe: (options) => startStripePeer(options as StripePeerOptions),
  'stripe-mock': startStripeMockPeer,
  scan: (options) => startScanPeer(options as ScanPeerOptions),
  quickbooks: quickbooksPeer,
  odata: odataPeer,
  fhir: fhirPeer,
  sage: sagePeer,
  'oracle-fusion': oracleFusionPeer,
};
