import { ConfigError } from '../../connectors/errors';
import { parseEdmx } from '../../connectors/odata/edmxMetadata';
import { lookBack } from '../../connectors/lookback';
import { incrementalFilter, keyPredicate, odataLiteral, traversalFilter } from '../../connectors/odata/query';

const EDMX = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="crmbaseentity" Abstract="true"/>
      <EntityType Name="account" BaseType="mscrm.crmbaseentity">
        <Key><PropertyRef Name="accountid"/></Key>
        <Property Name="accountid" Type="Edm.Guid"/>
        <Property Name="name" Type="Edm.String"/>
        <Property Name="modifiedon" Type="Edm.DateTimeOffset"/>
      </EntityType>
      <EntityType Name="special" BaseType="mscrm.account">
        <Property Name="extra" Type="Edm.Int32"/>
      </EntityType>
      <EntityType Name="orderline">
        <Key><PropertyRef Name="SalesOrder"/><PropertyRef Name="Item"/></Key>
        <Property Name="SalesOrder" Type="Edm.String"/>
        <Property Name="Item" Type="Edm.Int32"/>
        <Property Name="modifiedon" Type="Edm.DateTimeOffset"/>
      </EntityType>
      <EntityContainer Name="System">
        <EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account"/>
        <EntitySet Name="specials" EntityType="mscrm.special"/>
        <EntitySet Name="orderlines" EntityType="mscrm.orderline"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

describe('OData $metadata and query building', () => {
  it('reads entity sets with keys and property types through namespaces, aliases and base types', () => {
    const { entitySets } = parseEdmx(EDMX);
    expect([...entitySets.keys()]).toEqual(['accounts', 'specials', 'orderlines']);
    expect(entitySets.get('accounts')).toMatchObject({ keys: ['accountid'] });
    expect(entitySets.get('accounts')!.properties.get('modifiedon')).toBe('Edm.DateTimeOffset');
    // Inherited key and properties.
    expect(entitySets.get('specials')!.keys).toEqual(['accountid']);
    expect(entitySets.get('specials')!.properties.get('name')).toBe('Edm.String');
    expect(entitySets.get('orderlines')!.keys).toEqual(['SalesOrder', 'Item']);
  });

  it('refuses documents that are not OData metadata', () => {
    expect(() => parseEdmx('<html><body>login</body></html>')).toThrow(ConfigError);
  });

  it('builds literals that cannot inject into $filter', () => {
    expect(odataLiteral("O'Brien", 'Edm.String')).toBe("'O''Brien'");
    expect(odataLiteral(42, 'Edm.Int64')).toBe('42');
    expect(odataLiteral('2024-05-01T10:00:00.1234567Z', 'Edm.DateTimeOffset')).toBe('2024-05-01T10:00:00.1234567Z');
    expect(() => odataLiteral('2024-05-01 or true', 'Edm.DateTimeOffset')).toThrow(ConfigError);
    expect(() => odataLiteral('1 or 1 eq 1', 'Edm.Int32')).toThrow(ConfigError);
    expect(() => odataLiteral('not-a-guid', 'Edm.Guid')).toThrow(ConfigError);
  });

  it('filters after the keyset position, and names composite keys as key predicates', () => {
    const since = '2024-05-01T10:00:00Z';
    expect(incrementalFilter('modifiedon', 'Edm.DateTimeOffset', [{ name: 'ID', type: 'Edm.Int32' }], { since, lastKey: 7, next: null })).toBe(
      `modifiedon gt ${since} or (modifiedon eq ${since} and ID gt 7)`,
    );
    expect(
      incrementalFilter(
        'modifiedon',
        'Edm.DateTimeOffset',
        [
          { name: 'A', type: 'Edm.String' },
          { name: 'B', type: 'Edm.Int32' },
        ],
        { since, lastKey: null, next: null },
      ),
    ).toBe(`modifiedon ge ${since}`);
    expect(incrementalFilter('modifiedon', 'Edm.DateTimeOffset', [], { since: null, lastKey: null, next: null })).toBeNull();
    // A traversal starts inclusive, at the lookback window's start.
    expect(traversalFilter('modifiedon', 'Edm.DateTimeOffset', lookBack(since, 120_000))).toBe('modifiedon ge 2024-05-01T09:58:00.000Z');
    expect(traversalFilter('modifiedon', 'Edm.DateTimeOffset', null)).toBeNull();
    expect(lookBack('2024-05-01', 120_000)).toBe('2024-04-30');
    expect(
      keyPredicate({ SalesOrder: '1', Item: 10 }, [
        { name: 'SalesOrder', type: 'Edm.String' },
        { name: 'Item', type: 'Edm.Int32' },
      ]),
    ).toBe("SalesOrder='1',Item=10");
  });
});
