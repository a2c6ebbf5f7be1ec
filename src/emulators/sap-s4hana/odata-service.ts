import { Decimal } from 'decimal.js';
import { XMLBuilder } from 'fast-xml-parser';
import type { SapChart } from './emulator-options.js';
import type { JournalStore, StoredDocument, StoredItem } from './journal-store.js';
import { FilterError, matches, parseFilter, type Filter } from './odata-filter.js';

// API_OPLACCTGDOCITEMCUBE_SRV, OData v2, as far as a client reading postings back needs it: the service
// document, `$metadata` (written here from SAP's published field list; SAP's EDMX is not copied), and the
// entity set A_OperationalAcctgDocItemCube, one row per item of every posted document, with $filter (see
// odata-filter.ts), $select, $top, $skip, $orderby, $inlinecount and $format=json. Answers are JSON
// (`{"d": {"results": [...]}}`, decimals as text, dates as /Date(ms)/); errors SAP's OData error document.

export const SERVICE = 'API_OPLACCTGDOCITEMCUBE_SRV';
export const ENTITY_SET = 'A_OperationalAcctgDocItemCube';
const ENTITY_TYPE = `${ENTITY_SET}Type`;

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type Row = { document: StoredDocument; item: StoredItem };
interface Property {
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

const PROPERTIES: readonly Property[] = [
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
const BY_NAME = new Map(PROPERTIES.map((property) => [property.name, property]));
const KEYS = ['CompanyCode', 'FiscalYear', 'AccountingDocument', 'AccountingDocumentItem'];
/** Query options the emulator takes; other system query options are refused, custom ones ignored. */
const OPTIONS = new Set(['$filter', '$select', '$top', '$skip', '$orderby', '$inlinecount', '$format']);
const MAX_ROWS = 100_000;

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: true, format: true });

function json(status: number, value: unknown): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', dataserviceversion: '2.0' },
    body: JSON.stringify(value),
  };
}

/** SAP's OData error document. */
export function odataError(status: number, code: string, message: string): Reply {
  return json(status, {
    error: {
      code,
      message: { lang: 'en', value: message },
      innererror: {
        application: {
          component_id: 'FI-GL-IS',
          service_namespace: '/SAP/',
          service_id: SERVICE,
          service_version: '0001',
        },
        transactionid: '00000000000000000000000000000000',
        errordetails: [],
      },
    },
  });
}

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

function keyPredicate(row: Row): string {
  return KEYS.map((name) => `${name}='${BY_NAME.get(name)?.value(row, {} as SapChart) ?? ''}'`).join(',');
}

function jsonValue(property: Property, row: Row, chart: SapChart): string {
  const text = property.value(row, chart);
  return property.type === 'Edm.DateTime' ? `/Date(${Date.parse(`${text}T00:00:00Z`)})/` : text;
}

function wantsJson(query: URLSearchParams, accept: string | undefined): boolean {
  const format = query.get('$format');
  if (format !== null) return format === 'json';
  return /application\/json/i.test(accept ?? '');
}

/** GET under /sap/opu/odata/sap/API_OPLACCTGDOCITEMCUBE_SRV: the service document, $metadata, the entity set. */
export function handleOData(
  subpath: string,
  url: URL,
  accept: string | undefined,
  store: JournalStore,
  chart: SapChart,
): Reply {
  const query = url.searchParams;
  if (subpath === '$metadata')
    return {
      status: 200,
      headers: { 'content-type': 'application/xml', dataserviceversion: '2.0' },
      body: metadataXml(),
    };
  if (subpath === '' || subpath === '/') {
    if (!wantsJson(query, accept))
      return odataError(406, '/IWFND/CM_MGW/004', 'The emulator answers JSON only: add $format=json');
    return json(200, { d: { EntitySets: [ENTITY_SET] } });
  }
  if (subpath !== ENTITY_SET)
    return odataError(404, '/IWFND/CM_MGW/020', `Resource not found for segment '${subpath}'`);
  for (const name of query.keys())
    if (name.startsWith('$') && !OPTIONS.has(name))
      return odataError(400, '/IWBEP/CM_MGW_RT/022', `System query option '${name}' is not supported by the emulator`);
  if (!wantsJson(query, accept))
    return odataError(406, '/IWFND/CM_MGW/004', 'The emulator answers JSON only: add $format=json');

  let filter: Filter | undefined;
  try {
    const source = query.get('$filter');
    filter = source === null ? undefined : parseFilter(source, (name) => BY_NAME.has(name));
  } catch (error) {
    if (error instanceof FilterError)
      return odataError(400, '/IWBEP/CM_MGW_RT/022', `Invalid filter expression: ${error.message}`);
    throw error;
  }
  const select = query.get('$select');
  const all = select === null || select.trim() === '' || select.trim() === '*';
  const selected: Property[] = all ? [...PROPERTIES] : [];
  if (!all) {
    for (const name of (select ?? '').split(',').map((part) => part.trim())) {
      const property = BY_NAME.get(name);
      if (!property)
        return odataError(400, '/IWBEP/CM_MGW_RT/021', `Property ${name} not found in type ${ENTITY_TYPE}`);
      selected.push(property);
    }
  }
  const count = (name: string): number | undefined => {
    const text = query.get(name);
    return text === null ? undefined : /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  };
  const top = count('$top');
  const skip = count('$skip') ?? 0;
  if (Number.isNaN(top) || Number.isNaN(skip))
    return odataError(400, '/IWBEP/CM_MGW_RT/022', '$top and $skip must be whole numbers of at least zero');
  const inlinecount = query.get('$inlinecount');
  if (inlinecount !== null && inlinecount !== 'allpages' && inlinecount !== 'none')
    return odataError(400, '/IWBEP/CM_MGW_RT/022', `$inlinecount must be allpages or none, not ${inlinecount}`);

  const rows: Row[] = store.all().flatMap((document) => document.items.map((item) => ({ document, item })));
  const text = (row: Row) => (name: string) => BY_NAME.get(name)?.value(row, chart) ?? '';
  let found = filter === undefined ? rows : rows.filter((row) => matches(filter, text(row)));
  const orderby = query.get('$orderby');
  if (orderby !== null) {
    const keys = orderby.split(',').map((part) => part.trim().split(/\s+/));
    for (const [name, direction] of keys)
      if (!name || !BY_NAME.has(name) || (direction !== undefined && direction !== 'asc' && direction !== 'desc'))
        return odataError(400, '/IWBEP/CM_MGW_RT/022', `Invalid $orderby: ${orderby}`);
    found = [...found].sort((a, b) => {
      for (const [name = '', direction] of keys) {
        const order = text(a)(name).localeCompare(text(b)(name));
        if (order !== 0) return direction === 'desc' ? -order : order;
      }
      return 0;
    });
  }
  const page = found.slice(skip, top === undefined ? skip + MAX_ROWS : skip + Math.min(top, MAX_ROWS));
  const base = `${url.origin}/sap/opu/odata/sap/${SERVICE}`;
  const results = page.map((row) => {
    const uri = `${base}/${ENTITY_SET}(${keyPredicate(row)})`;
    return {
      __metadata: { id: uri, uri, type: `${SERVICE}.${ENTITY_TYPE}` },
      ...Object.fromEntries(selected.map((property) => [property.name, jsonValue(property, row, chart)])),
    };
  });
  return json(200, { d: { ...(inlinecount === 'allpages' ? { __count: String(found.length) } : {}), results } });
}
