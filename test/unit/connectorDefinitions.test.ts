import { z } from 'zod';
import { findConnector } from '../../connectors/registry';

describe('quickbooks, fhir and odata connector definitions', () => {
  const examples: Record<string, { config: unknown; credentials: unknown; invalidConfig: unknown; invalidField: string }> = {
    quickbooks: {
      config: { realmId: '9130357766900000' },
      credentials: { clientId: 'c', clientSecret: 's', accessToken: 'a', refreshToken: 'r' },
      invalidConfig: { realmId: 'acme' },
      invalidField: 'realmId',
    },
    fhir: {
      config: { baseUrl: 'https://fhir.example.test/R4', vendor: 'epic', readMode: 'bulk', groupId: 'g1' },
      credentials: { clientId: 'backend', privateKeyPem: '-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----' },
      invalidConfig: { baseUrl: 'ftp://fhir.example.test' },
      invalidField: 'baseUrl',
    },
    odata: {
      config: { serviceUrl: 'https://erp.example.test/odata/v4/sales', entitySets: ['SalesOrders'], vendor: 'sap' },
      credentials: { username: 'u', password: 'p' },
      invalidConfig: { serviceUrl: 'https://erp.example.test/odata', entitySets: [] },
      invalidField: 'entitySets',
    },
  };

  it.each(Object.keys(examples))('%s: registered, schemas export as JSON Schema, streams declared', (type) => {
    const definition = findConnector(type)!;
    expect(definition).toBeDefined();
    expect(definition.type).toBe(type);
    const example = examples[type]!;
    const config = definition.configSchema.parse(example.config);
    definition.credentialsSchema.parse(example.credentials);
    expect(z.toJSONSchema(definition.configSchema)).toMatchObject({ type: 'object' });
    expect(JSON.stringify(z.toJSONSchema(definition.credentialsSchema))).toContain('properties');
    const streams = definition.streams(config);
    expect(streams.length).toBeGreaterThan(0);
    for (const stream of streams) expect(stream).toMatchObject({ name: expect.any(String), primaryKey: expect.any(String), cursorField: expect.any(String) });
    for (const field of definition.urlFields) expect(Object.keys((definition.configSchema as z.ZodObject).shape)).toContain(field);
  });

  it.each(Object.keys(examples))('%s: invalid config names the field', (type) => {
    const result = findConnector(type)!.configSchema.safeParse(examples[type]!.invalidConfig);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.'))).toContain(examples[type]!.invalidField);
  });

  it('declares the streams of API.md', () => {
    const names = (type: string, config: unknown) =>
      findConnector(type)!
        .streams(config as never)
        .map((stream) => stream.name);
    expect(names('quickbooks', examples.quickbooks!.config)).toEqual(expect.arrayContaining(['Customer', 'Invoice', 'Payment']));
    expect(names('fhir', examples.fhir!.config)).toEqual(expect.arrayContaining(['Patient', 'Encounter', 'Observation', 'MedicationRequest']));
    expect(names('odata', { serviceUrl: 'https://x.test', entitySets: ['A_BusinessPartner', 'A_SalesOrder'] })).toEqual(['A_BusinessPartner', 'A_SalesOrder']);
  });
});
