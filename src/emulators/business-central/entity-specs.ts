// The entities the emulator serves, field for field as Microsoft's API v2.0 pages declare them: names,
// order, which are editable, the navigation parts and the bound actions (page-fields.test.ts reads the
// vendored `.Page.al` files and checks these against them). Types and lengths are those of the tables
// behind the pages (Code[20], Text[100], ...). Sales credit memos and their lines have no vendored page:
// their fields follow Microsoft's API reference for `salesCreditMemo` and `salesCreditMemoLine`, and
// dimension set lines (no page vendored either) its reference for `dimensionSetLine`.

export type FieldType = 'guid' | 'text' | 'code' | 'integer' | 'decimal' | 'date' | 'datetime' | 'boolean' | 'option';

export interface FieldSpec {
  name: string;
  type: FieldType;
  /** False for the page's `Editable = false` fields and for system fields (SystemId, SystemModifiedAt). */
  editable: boolean;
  /** Text and Code lengths. */
  maxLength?: number;
  /** An option's values, as the API writes them. */
  options?: readonly string[];
}

export interface EntitySpec {
  /** `journal`, as `Microsoft.NAV.journal` names the type. */
  entityName: string;
  entitySet: string;
  fields: readonly FieldSpec[];
  /** The page's parts (navigation properties), served or not. */
  parts: readonly string[];
  /** The page's bound actions, as `Microsoft.NAV.<action>` names them (the AL procedure in camelCase). */
  actions: readonly string[];
}

const field =
  (editable: boolean) =>
  (name: string, type: FieldType, maxLength?: number): FieldSpec => ({ name, type, editable, maxLength });
const ro = field(false);
const rw = field(true);
const option = (name: string, options: readonly string[], editable = true): FieldSpec => ({
  name,
  type: 'option',
  editable,
  options,
});

export const ACCOUNT_TYPES = ['G/L Account', 'Customer', 'Vendor', 'Bank Account'] as const;
export const DOCUMENT_TYPES = [' ', 'Payment', 'Invoice', 'Credit Memo', 'Finance Charge Memo', 'Reminder', 'Refund'];
export const LINE_TYPES = ['Comment', 'Account', 'Item', 'Resource', 'Value', 'Charge', 'Fixed Asset'] as const;
export const DOCUMENT_STATUSES = ['Draft', 'In Review', 'Open', 'Paid', 'Canceled', 'Corrective'] as const;

export const JOURNAL: EntitySpec = {
  entityName: 'journal',
  entitySet: 'journals',
  fields: [
    ro('id', 'guid'),
    rw('code', 'code', 10),
    rw('displayName', 'text', 100),
    rw('templateDisplayName', 'code', 10),
    ro('lastModifiedDateTime', 'datetime'),
    rw('balancingAccountId', 'guid'),
    ro('balancingAccountNumber', 'code', 20),
  ],
  parts: ['journalLines'],
  actions: ['post'],
};

export const JOURNAL_LINE: EntitySpec = {
  entityName: 'journalLine',
  entitySet: 'journalLines',
  fields: [
    ro('id', 'guid'),
    rw('journalId', 'guid'),
    rw('journalDisplayName', 'code', 10),
    rw('lineNumber', 'integer'),
    option('accountType', ACCOUNT_TYPES),
    rw('accountId', 'guid'),
    rw('accountNumber', 'code', 20),
    rw('postingDate', 'date'),
    rw('documentNumber', 'code', 20),
    rw('externalDocumentNumber', 'code', 35),
    rw('amount', 'decimal'),
    rw('description', 'text', 100),
    rw('comment', 'text', 250),
    rw('taxCode', 'code', 20),
    option('balanceAccountType', ACCOUNT_TYPES),
    rw('balancingAccountId', 'guid'),
    rw('balancingAccountNumber', 'code', 20),
    ro('lastModifiedDateTime', 'datetime'),
  ],
  parts: ['attachments', 'dimensionSetLines'],
  actions: [],
};

export const GL_ENTRY: EntitySpec = {
  entityName: 'generalLedgerEntry',
  entitySet: 'generalLedgerEntries',
  fields: [
    ro('id', 'guid'),
    ro('entryNumber', 'integer'),
    ro('postingDate', 'date'),
    ro('documentNumber', 'code', 20),
    option('documentType', DOCUMENT_TYPES, false),
    ro('accountId', 'guid'),
    ro('accountNumber', 'code', 20),
    ro('description', 'text', 100),
    ro('debitAmount', 'decimal'),
    ro('creditAmount', 'decimal'),
    ro('additionalCurrencyDebitAmount', 'decimal'),
    ro('additionalCurrencyCreditAmount', 'decimal'),
    ro('lastModifiedDateTime', 'datetime'),
  ],
  parts: ['attachments', 'dimensionSetLines'],
  actions: [],
};

/** The fields a sales document's lines have, invoice or credit memo. */
const SALES_LINE_FIELDS: readonly FieldSpec[] = [
  ro('id', 'guid'),
  rw('documentId', 'guid'),
  rw('sequence', 'integer'),
  rw('itemId', 'guid'),
  rw('accountId', 'guid'),
  option('lineType', LINE_TYPES),
  rw('lineObjectNumber', 'code', 20),
  rw('description', 'text', 100),
  rw('description2', 'text', 50),
  rw('unitOfMeasureId', 'guid'),
  rw('unitOfMeasureCode', 'code', 10),
  rw('quantity', 'decimal'),
  rw('unitPrice', 'decimal'),
  rw('discountAmount', 'decimal'),
  rw('discountPercent', 'decimal'),
  ro('discountAppliedBeforeTax', 'boolean'),
  ro('amountExcludingTax', 'decimal'),
  rw('taxCode', 'code', 50),
  ro('taxPercent', 'decimal'),
  ro('totalTaxAmount', 'decimal'),
  ro('amountIncludingTax', 'decimal'),
  ro('invoiceDiscountAllocation', 'decimal'),
  ro('netAmount', 'decimal'),
  ro('netTaxAmount', 'decimal'),
  ro('netAmountIncludingTax', 'decimal'),
  rw('shipmentDate', 'date'),
  rw('itemVariantId', 'guid'),
  rw('locationId', 'guid'),
];

const salesLine = (entityName: string, entitySet: string): EntitySpec => ({
  entityName,
  entitySet,
  fields: SALES_LINE_FIELDS,
  parts: ['dimensionSetLines', 'location'],
  actions: [],
});

export const SALES_INVOICE_LINE = salesLine('salesInvoiceLine', 'salesInvoiceLines');
export const SALES_CREDIT_MEMO_LINE = salesLine('salesCreditMemoLine', 'salesCreditMemoLines');

/** A sales document's sell-to, bill-to or ship-to address: the same six fields behind a prefix. */
const address = (prefix: 'sellTo' | 'billTo' | 'shipTo', editable: boolean): FieldSpec[] =>
  (
    [
      ['AddressLine1', 'text', 100],
      ['AddressLine2', 'text', 50],
      ['City', 'text', 30],
      ['Country', 'code', 10],
      ['State', 'text', 30],
      ['PostCode', 'code', 20],
    ] as const
  ).map(([name, type, maxLength]) => field(editable)(`${prefix}${name}`, type, maxLength));

/** Who a sales document is for, in the order both document pages declare it. */
const CUSTOMER = [
  rw('customerId', 'guid'),
  rw('customerNumber', 'code', 20),
  ro('customerName', 'text', 100),
  ro('billToName', 'text', 100),
  rw('billToCustomerId', 'guid'),
  rw('billToCustomerNumber', 'code', 20),
];

/** A sales document's totals and status, in the order both document pages declare them. */
const TOTALS = [
  rw('discountAmount', 'decimal'),
  ro('discountAppliedBeforeTax', 'boolean'),
  ro('totalAmountExcludingTax', 'decimal'),
  ro('totalTaxAmount', 'decimal'),
  ro('totalAmountIncludingTax', 'decimal'),
  option('status', DOCUMENT_STATUSES, false),
  ro('lastModifiedDateTime', 'datetime'),
];

export const SALES_INVOICE: EntitySpec = {
  entityName: 'salesInvoice',
  entitySet: 'salesInvoices',
  fields: [
    ro('id', 'guid'),
    ro('number', 'code', 20),
    rw('externalDocumentNumber', 'code', 35),
    rw('invoiceDate', 'date'),
    rw('postingDate', 'date'),
    rw('dueDate', 'date'),
    rw('promisedPayDate', 'date'),
    rw('customerPurchaseOrderReference', 'text', 35),
    ...CUSTOMER,
    rw('shipToName', 'text', 100),
    rw('shipToContact', 'text', 100),
    ...address('sellTo', true),
    ...address('billTo', false),
    ...address('shipTo', true),
    rw('currencyId', 'guid'),
    rw('shortcutDimension1Code', 'code', 20),
    rw('shortcutDimension2Code', 'code', 20),
    rw('currencyCode', 'code', 10),
    ro('orderId', 'guid'),
    ro('orderNumber', 'code', 20),
    rw('paymentTermsId', 'guid'),
    rw('shipmentMethodId', 'guid'),
    rw('salesperson', 'code', 20),
    rw('disputeStatusId', 'guid'),
    rw('disputeStatus', 'code', 10),
    ro('pricesIncludeTax', 'boolean'),
    ro('remainingAmount', 'decimal'),
    ...TOTALS,
    rw('phoneNumber', 'text', 30),
    rw('email', 'text', 80),
  ],
  parts: ['dimensionSetLines', 'salesInvoiceLines', 'pdfDocument', 'attachments', 'documentAttachments'],
  actions: ['post', 'postAndSend', 'send', 'cancel', 'cancelAndSend', 'makeCorrectiveCreditMemo'],
};

export const SALES_CREDIT_MEMO: EntitySpec = {
  entityName: 'salesCreditMemo',
  entitySet: 'salesCreditMemos',
  fields: [
    ro('id', 'guid'),
    ro('number', 'code', 20),
    rw('externalDocumentNumber', 'code', 35),
    rw('creditMemoDate', 'date'),
    rw('postingDate', 'date'),
    rw('dueDate', 'date'),
    ...CUSTOMER,
    ...address('sellTo', true),
    ...address('billTo', true),
    rw('shortcutDimension1Code', 'code', 20),
    rw('shortcutDimension2Code', 'code', 20),
    rw('currencyId', 'guid'),
    rw('currencyCode', 'code', 10),
    rw('paymentTermsId', 'guid'),
    rw('shipmentMethodId', 'guid'),
    rw('salesperson', 'code', 20),
    ro('pricesIncludeTax', 'boolean'),
    ...TOTALS,
    rw('invoiceId', 'guid'),
    rw('invoiceNumber', 'code', 20),
    rw('phoneNumber', 'text', 30),
    rw('email', 'text', 80),
    rw('customerReturnReasonId', 'guid'),
  ],
  parts: ['dimensionSetLines', 'salesCreditMemoLines', 'pdfDocument', 'attachments', 'documentAttachments'],
  actions: ['post', 'postAndSend', 'send', 'cancel', 'cancelAndSend'],
};

/** The parents a dimension set line may have, as Microsoft's API reference lists `parentType`. */
export const DIMENSION_PARENT_TYPES = [
  ' ',
  'Journal Line',
  'Sales Order',
  'Sales Order Line',
  'Sales Quote',
  'Sales Quote Line',
  'Sales Credit Memo',
  'Sales Credit Memo Line',
  'Sales Invoice',
  'Sales Invoice Line',
  'Purchase Invoice',
  'Purchase Invoice Line',
  'General Ledger Entry',
  'Time Registration Entry',
] as const;

/**
 * A dimension set line, the `dimensionSetLines` part of journal lines, G/L entries and sales documents
 * and their lines. No page source is vendored for it ("APIV2 - Dimension Set Lines"): its fields follow
 * Microsoft's API reference for `dimensionSetLine`, which says `id` is not editable and
 * `valueDisplayName` read-only; `code` and `valueCode` (or `valueId`) are what a client writes. Its key
 * is its dimension's id, unique within its parent.
 */
export const DIMENSION_SET_LINE: EntitySpec = {
  entityName: 'dimensionSetLine',
  entitySet: 'dimensionSetLines',
  fields: [
    ro('id', 'guid'),
    rw('code', 'code', 20),
    ro('parentId', 'guid'),
    option('parentType', DIMENSION_PARENT_TYPES, false),
    ro('displayName', 'text', 30),
    rw('valueId', 'guid'),
    rw('valueCode', 'code', 20),
    ro('valueDisplayName', 'text', 50),
  ],
  parts: [],
  actions: [],
};

export const ENTITY_SPECS: readonly EntitySpec[] = [
  JOURNAL,
  JOURNAL_LINE,
  GL_ENTRY,
  SALES_INVOICE,
  SALES_INVOICE_LINE,
  SALES_CREDIT_MEMO,
  SALES_CREDIT_MEMO_LINE,
  DIMENSION_SET_LINE,
];

export const fieldOf = (spec: EntitySpec, name: string): FieldSpec | undefined =>
  spec.fields.find((field) => field.name === name);
