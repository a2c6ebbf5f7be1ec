import { Decimal } from 'decimal.js';
import { XMLBuilder } from 'fast-xml-parser';
import type { SapChart } from './emulator-options.js';
import type { StoredDocument, StoredItem } from './journal-store.js';

// The entity type of API_OPLACCTGDOCITEMCUBE_SRV's A_OperationalAcctgDocItemCube as the emulator serves
// it: its properties (names, types and lengths from SAP's published field list), how each is read from a
// stored item, its key, and the `$metadata` document written from them (SAP's EDMX is not copied).

export const SERVICE = 'API_OPLACCTGDOCITEMCUBE_SRV';
export const ENTITY_SET = 'A_OperationalAcctgDocItemCube';
export const ENTITY_TYPE = `${ENTITY_SET}Type`;

export type Row = { document: StoredDocument; item: StoredItem };
export interface Property {
  name: string;
  type: 'Edm.String' | 'Edm.Decimal' | 'Edm.DateTime';
  maxLength?: number;
  label: string;
  /** The value as text (what $filter compares and JSON carries). */
  value(row: Row, chart: SapChart): string;
}

const decimalsOf = (chart: SapChart, currency: string) =>
  Object.hasOwn(chart.currencies, currency) ? (chart.currencies[currency] ?? 2) : 2;

/** An Edm.String property of `maxLength` characters. */
const edmString = (name: string, maxLength: number, label: string, value: (row: Row) => string): Property => ({
  name,
  type: 'Edm.String',
  maxLength,
  label,
  value,
});
/**
 * An amount with as many decimals as its currency has in the chart. The emulator keeps no exchange rates,
 * so the company code currency's amount is the transaction's at rate 1.
 */
const edmAmount = (name: string, label: string, currencyOf: (row: Row) => string): Property => ({
  name,
  type: 'Edm.Decimal',
  label,
  value: (row, chart) => new Decimal(row.item.amount).toFixed(decimalsOf(chart, currencyOf(row))),
});
const edmDate = (name: string, label: string, value: (row: Row) => string): Property => ({
  name,
  type: 'Edm.DateTime',
  label,
  value,
});

export const PROPERTIES: readonly Property[] = [
  edmString('CompanyCode', 4, 'Company Code', (r) => r.document.companyCode),
  edmString('FiscalYear', 4, 'Fiscal Year', (r) => r.document.fiscalYear),
  edmString('AccountingDocument', 10, 'Journal Entry', (r) => r.document.accountingDocument),
  edmString('AccountingDocumentItem', 3, 'Journal Entry Item', (r) => r.item.item),
  edmString('ChartOfAccounts', 4, 'Chart of Accounts', (r) => r.document.chartOfAccounts),
  edmString('AccountingDocumentType', 2, 'Journal Entry Type', (r) => r.document.documentType),
  edmString('DocumentReferenceID', 16, 'Reference', (r) => r.document.documentReferenceId),
  edmString('AccountingDocumentHeaderText', 25, 'Document Header Text', (r) => r.document.headerText),
  edmString('AccountingDocCreatedByUser', 12, 'User Name', (r) => r.document.createdByUser),
  edmString('GLAccount', 10, 'G/L Account', (r) => r.item.glAccount),
  edmString('DocumentItemText', 50, 'Item Text', (r) => r.item.text),
  edmString('CostCenter', 10, 'Cost Center', (r) => r.item.costCenter),
  edmString('ProfitCenter', 10, 'Profit Center', (r) => r.item.profitCenter),
  edmString('DebitCreditCode', 1, 'Debit/Credit', (r) => r.item.debitCreditCode),
  edmAmount('AmountInTransactionCurrency', 'Amount in Transaction Currency', (r) => r.document.currency),
  edmString('TransactionCurrency', 5, 'Transaction Currency', (r) => r.document.currency),
  edmAmount('AmountInCompanyCodeCurrency', 'Amount in Company Code Currency', (r) => r.document.companyCodeCurrency),
  edmString('CompanyCodeCurrency', 5, 'Company Code Currency', (r) => r.document.companyCodeCurrency),
  edmDate('PostingDate', 'Posting Date', (r) => r.document.postingDate),
  edmDate('DocumentDate', 'Journal Entry Date', (r) => r.document.documentDate),
];
export const BY_NAME = new Map(PROPERTIES.map((property) => [property.name, property]));
export const KEYS = ['CompanyCode', 'FiscalYear', 'AccountingDocument', 'AccountingDocumentItem'];

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: true, format: true });

/** `$metadata`: EDMX 1.0 for OData 2.0, with SAP's annotations. */
export function metadataXml(): string {
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' },
    'edmx:Edmx': {
      '@_Version': '1.0',
      '@_xmlns:edmx': 'http://schemas.microsoft.com/ado/2007/06/edmx',
      '@_xmlns:m': 'http://schemas.microsoft.com/ado/2007/08/dataservices/metadata',
      '@_xmlns:sap': 'http://www.sap.com/Protocols/SAPData',
      'edmx:DataServices': {
        '@_m:DataServiceVersion': '2.0',
        Schema: {
          '@_Namespace': SERVICE,
          '@_xml:lang': 'en',
          '@_sap:schema-version': '1',
          '@_xmlns': 'http://schemas.microsoft.com/ado/2008/09/edm',
          EntityType: {
            '@_Name': ENTITY_TYPE,
            '@_sap:label': 'Journal Entry Item (Operational Accounting)',
            '@_sap:content-version': '1',
            Key: { PropertyRef: KEYS.map((name) => ({ '@_Name': name })) },
            Property: PROPERTIES.map((property) => ({
              '@_Name': property.name,
              '@_Type': property.type,
              ...(KEYS.includes(property.name) ? { '@_Nullable': 'false' } : {}),
              ...(property.maxLength === undefined ? {} : { '@_MaxLength': String(property.maxLength) }),
              ...(property.type === 'Edm.Decimal' ? { '@_Precision': '23', '@_Scale': '3' } : {}),
              ...(property.type === 'Edm.DateTime' ? { '@_Precision': '0', '@_sap:display-format': 'Date' } : {}),
              ...(property.name.startsWith('Amount')
                ? {
                    '@_sap:unit': property.name.endsWith('TransactionCurrency')
                      ? 'TransactionCurrency'
                      : 'CompanyCodeCurrency',
                  }
                : {}),
              '@_sap:label': property.label,
              '@_sap:creatable': 'false',
              '@_sap:updatable': 'false',
            })),
          },
          EntityContainer: {
            '@_Name': `${SERVICE}_Entities`,
            '@_m:IsDefaultEntityContainer': 'true',
            '@_sap:supported-formats': 'atom json xlsx',
            EntitySet: {
              '@_Name': ENTITY_SET,
              '@_EntityType': `${SERVICE}.${ENTITY_TYPE}`,
              '@_sap:creatable': 'false',
              '@_sap:updatable': 'false',
              '@_sap:deletable': 'false',
              '@_sap:content-version': '1',
            },
          },
        },
      },
    },
  });
}

/** The row's key as OData writes it in an entry's URI. */
export function keyPredicate(row: Row): string {
  return KEYS.map((name) => `${name}='${BY_NAME.get(name)?.value(row, {} as SapChart) ?? ''}'`).join(',');
}
