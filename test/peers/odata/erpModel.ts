/**
 * The small ERP model the OData peer serves, in CDS (SAP CAP's modelling language). Every entity
 * carries `modifiedAt` (what increments filter on) and `deletedAt`, a soft-delete marker as many ERP
 * services expose (S/4HANA's deletion indicators, Dynamics' state codes); hard deletes are possible too.
 */
export const ERP_NAMESPACE = 'erp';
export const ERP_SERVICE = 'erp.ErpService';
export const ERP_SERVICE_PATH = '/odata/v4/erp';
export const ERP_ENTITY_SETS = ['BusinessPartners', 'SalesOrders'] as const;
export type ErpEntitySet = (typeof ERP_ENTITY_SETS)[number];

/** CDS source; `pageSize` is the server's page size for server-driven paging (`@odata.nextLink`). */
export function erpModelSource(pageSize: number): string {
  return `
    namespace ${ERP_NAMESPACE};

    entity BusinessPartners {
      key ID     : Integer;
      name       : String(100);
      city       : String(60);
      country    : String(2);
      email      : String(120);
      modifiedAt : Timestamp;
      deletedAt  : Timestamp;
    }

    entity SalesOrders {
      key ID       : Integer;
      orderNumber  : String(20);
      partner      : Association to BusinessPartners;
      netAmount    : Decimal(15, 2);
      currency     : String(3);
      status       : String(20);
      modifiedAt   : Timestamp;
      deletedAt    : Timestamp;
    }

    @path: '${ERP_SERVICE_PATH}'
    @cds.query.limit: { default: ${pageSize}, max: ${pageSize} }
    service ErpService {
      entity BusinessPartners as projection on ${ERP_NAMESPACE}.BusinessPartners;
      entity SalesOrders as projection on ${ERP_NAMESPACE}.SalesOrders;
    }
  `;
}
