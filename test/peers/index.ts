import { fhirPeer } from './fhir/fhirPeer';
import { odataPeer } from './odata/odataPeer';
import { type PeerStarter } from './peer';
import { quickbooksPeer } from './quickbooks/quickbooksPeer';

/**
 * Every peer by name, for `npm run peer -- <name> --port 0` and for tests. One line per peer.
 */
export const peers: Readonly<Record<string, PeerStarter>> = {
  quickbooks: quickbooksPeer,
  odata: odataPeer,
  fhir: fhirPeer,
};
