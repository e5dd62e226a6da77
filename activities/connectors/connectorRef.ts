/** Which tenant's connector an activity works on. */
export interface ConnectorRef {
  tenantId: string;
  connectorId: string;
}
