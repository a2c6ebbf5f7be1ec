import { XMLParser, XMLValidator } from 'fast-xml-parser';

// Reads a JournalEntryBulkCreateRequest as SAP's SOAP runtime would: well-formed XML (no DTD), a SOAP 1.1
// or 1.2 envelope, the request element in SAP's SFIN namespace (its children unqualified), and each field
// of the right type and length. What fails here is the runtime's refusal, a SOAP fault, before any
// posting logic runs; what passes is handed over as plain values for the posting checks (journal-post.ts).

export const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
export const SFIN = 'http://sap.com/xi/SAPSCORE/SFIN';

/** A request the SOAP runtime refuses: answered as a fault, `client` for the sender's error. */
export class SoapFault extends Error {
  constructor(
    readonly reason: string,
    readonly client = true,
  ) {
    super(reason);
    this.name = 'SoapFault';
  }
}

export interface RequestItem {
  referenceDocumentItem: string;
  glAccount: string;
  amount: string;
  currency: string;
  debitCreditCode: 'S' | 'H';
  text: string;
  costCenter: string;
  profitCenter: string;
}

export interface RequestEntry {
  messageId: string;
  originalReferenceDocumentType: string;
  businessTransactionType: string;
  documentType: string;
  documentReferenceId: string;
  headerText: string;
  createdByUser: string;
  companyCode: string;
  documentDate: string;
  postingDate: string;
  items: RequestItem[];
}

export interface BulkRequest {
  messageId: string;
  entries: RequestEntry[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ['JournalEntryCreateRequest', 'Item'].includes(name),
});

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Field lengths of SAP's service definition (the ones this emulator checks). */
const LENGTHS: Readonly<Record<string, number>> = {
  OriginalReferenceDocumentType: 5,
  BusinessTransactionType: 4,
  AccountingDocumentType: 2,
  DocumentReferenceID: 16,
  DocumentHeaderText: 25,
  CreatedByUser: 12,
  CompanyCode: 4,
  GLAccount: 10,
  DocumentItemText: 50,
  CostCenter: 10,
  ProfitCenter: 10,
  ID: 35,
};
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DECIMAL = /^-?\d{1,23}(\.\d{1,6})?$/;

function validDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** The text of an element (`{#text}` when it has attributes); an element with children is refused. */
function text(node: Record<string, unknown>, name: string, path: string, required = false): string {
  const value = node[name];
  if (value === undefined) {
    if (required) throw new SoapFault(`${path}/${name} is required`);
    return '';
  }
  if (Array.isArray(value)) throw new SoapFault(`${path}/${name} is given more than once`);
  const content = typeof value === 'string' ? value : isRecord(value) ? value['#text'] : undefined;
  if (content !== undefined && typeof content !== 'string') throw new SoapFault(`${path}/${name} is not text`);
  if (isRecord(value) && Object.keys(value).some((key) => !key.startsWith('@_') && key !== '#text'))
    throw new SoapFault(`${path}/${name} holds elements where text belongs`);
  const result = content ?? '';
  const max = LENGTHS[name];
  if (max !== undefined && result.length > max)
    throw new SoapFault(`${path}/${name} is ${result.length} characters long; its field holds ${max}`);
  return result;
}

function child(node: Record<string, unknown>, name: string, path: string): Record<string, unknown> | undefined {
  const value = node[name];
  if (value === undefined || value === '') return undefined;
  if (!isRecord(value)) throw new SoapFault(`${path}/${name} must hold elements`);
  return value;
}

/** The namespace a prefix is bound to on these elements (innermost first), or undefined. */
function namespaceOf(prefix: string, ...scopes: Array<Record<string, unknown> | undefined>): string | undefined {
  const attribute = prefix === '' ? '@_xmlns' : `@_xmlns:${prefix}`;
  for (const scope of scopes) if (scope && typeof scope[attribute] === 'string') return scope[attribute];
  return undefined;
}

/** The one element of `node` whose local name is `local`, with its prefix. */
function qualified(node: Record<string, unknown>, local: string): { prefix: string; value: unknown } | undefined {
  const names = Object.keys(node).filter((key) => !key.startsWith('@_') && key.replace(/^[^:]*:/, '') === local);
  if (names.length !== 1) return undefined;
  const name = names[0] as string;
  return { prefix: name.includes(':') ? name.slice(0, name.indexOf(':')) : '', value: node[name] };
}

function readItem(value: unknown, path: string): RequestItem {
  if (!isRecord(value)) throw new SoapFault(`${path} must hold elements`);
  const amountNode = value.AmountInTransactionCurrency;
  if (!isRecord(amountNode) && typeof amountNode !== 'string')
    throw new SoapFault(`${path}/AmountInTransactionCurrency is required`);
  const amount = text(value, 'AmountInTransactionCurrency', path, true);
  const currency =
    isRecord(amountNode) && typeof amountNode['@_currencyCode'] === 'string' ? amountNode['@_currencyCode'] : '';
  if (!DECIMAL.test(amount))
    throw new SoapFault(`${path}/AmountInTransactionCurrency ${JSON.stringify(amount.slice(0, 40))} is not a decimal`);
  if (currency === '' || currency.length > 5)
    throw new SoapFault(`${path}/AmountInTransactionCurrency needs a currencyCode attribute of 1 to 5 characters`);
  const code = text(value, 'DebitCreditCode', path, true);
  if (code !== 'S' && code !== 'H') throw new SoapFault(`${path}/DebitCreditCode must be S or H`);
  const item = text(value, 'ReferenceDocumentItem', path);
  if (item !== '' && !/^\d{1,6}$/.test(item)) throw new SoapFault(`${path}/ReferenceDocumentItem must be a number`);
  const assignment = child(value, 'AccountAssignment', path) ?? {};
  return {
    referenceDocumentItem: item,
    glAccount: text(value, 'GLAccount', path, true),
    amount,
    currency,
    debitCreditCode: code,
    text: text(value, 'DocumentItemText', path),
    costCenter: text(assignment, 'CostCenter', `${path}/AccountAssignment`),
    profitCenter: text(assignment, 'ProfitCenter', `${path}/AccountAssignment`),
  };
}

function readEntry(value: unknown, path: string): RequestEntry {
  if (!isRecord(value)) throw new SoapFault(`${path} must hold elements`);
  const header = child(value, 'MessageHeader', path) ?? {};
  const entry = child(value, 'JournalEntry', path);
  if (!entry) throw new SoapFault(`${path}/JournalEntry is required`);
  const at = `${path}/JournalEntry`;
  const dates = ['DocumentDate', 'PostingDate'].map((name) => {
    const date = text(entry, name, at, true);
    if (!validDate(date))
      throw new SoapFault(`${at}/${name} ${JSON.stringify(date.slice(0, 40))} is not a date (YYYY-MM-DD)`);
    return date;
  });
  const items = Array.isArray(entry.Item) ? entry.Item : [];
  if (items.length > 999) throw new SoapFault(`${at} has ${items.length} items; a document holds at most 999`);
  for (const name of ['DebtorItem', 'CreditorItem', 'ProductTaxItem', 'WithholdingTaxItem'])
    if (entry[name] !== undefined) throw new SoapFault(`${at}/${name} is not emulated: post G/L account items only`);
  return {
    messageId: text(header, 'ID', `${path}/MessageHeader`),
    originalReferenceDocumentType: text(entry, 'OriginalReferenceDocumentType', at, true),
    businessTransactionType: text(entry, 'BusinessTransactionType', at, true),
    documentType: text(entry, 'AccountingDocumentType', at, true),
    documentReferenceId: text(entry, 'DocumentReferenceID', at),
    headerText: text(entry, 'DocumentHeaderText', at),
    createdByUser: text(entry, 'CreatedByUser', at),
    companyCode: text(entry, 'CompanyCode', at, true),
    documentDate: dates[0] ?? '',
    postingDate: dates[1] ?? '',
    items: items.map((item, index) => readItem(item, `${at}/Item[${index + 1}]`)),
  };
}

/** The request, and the SOAP version it came in; a SoapFault naming the first problem. */
export function readBulkRequest(xml: string): { request: BulkRequest; soapNamespace: string } {
  if (/<!DOCTYPE/i.test(xml)) throw new SoapFault('A DTD is not allowed in a SOAP message');
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    throw new SoapFault(`XML parsing error: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  let document: unknown;
  try {
    document = parser.parse(xml);
  } catch (error) {
    throw new SoapFault(`XML parsing error: ${error instanceof Error ? error.message : String(error)}`);
  }
  const envelope = isRecord(document) ? qualified(document, 'Envelope') : undefined;
  if (!envelope || !isRecord(envelope.value)) throw new SoapFault('The message is not a SOAP envelope');
  const envelopeNode = envelope.value;
  const soapNamespace = namespaceOf(envelope.prefix, envelopeNode);
  if (soapNamespace !== SOAP11 && soapNamespace !== SOAP12)
    throw new SoapFault(`The envelope is in namespace ${soapNamespace ?? '(none)'}, not SOAP 1.1 or 1.2`);
  const body = qualified(envelopeNode, 'Body');
  if (!body || !isRecord(body.value) || namespaceOf(body.prefix, envelopeNode) !== soapNamespace)
    throw new SoapFault('The envelope has no SOAP Body');
  const bodyNode = body.value;
  const bulk = qualified(bodyNode, 'JournalEntryBulkCreateRequest');
  const bulkNode = bulk && isRecord(bulk.value) ? bulk.value : undefined;
  if (!bulk || !bulkNode || namespaceOf(bulk.prefix, bulkNode, bodyNode, envelopeNode) !== SFIN)
    throw new SoapFault(`The body holds no JournalEntryBulkCreateRequest of namespace ${SFIN}`);
  const header = child(bulkNode, 'MessageHeader', 'JournalEntryBulkCreateRequest') ?? {};
  const requests = Array.isArray(bulkNode.JournalEntryCreateRequest) ? bulkNode.JournalEntryCreateRequest : [];
  if (requests.length === 0) throw new SoapFault('JournalEntryBulkCreateRequest holds no JournalEntryCreateRequest');
  return {
    soapNamespace,
    request: {
      messageId: text(header, 'ID', 'JournalEntryBulkCreateRequest/MessageHeader'),
      entries: requests.map((entry, index) => readEntry(entry, `JournalEntryCreateRequest[${index + 1}]`)),
    },
  };
}
