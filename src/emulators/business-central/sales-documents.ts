import { Decimal } from 'decimal.js';
import { dialog, duplicateKey } from './bc-error.js';
import { checkIfMatch, type CompanyStore, type EntitySetName } from './company-store.js';
import {
  SALES_CREDIT_MEMO,
  SALES_CREDIT_MEMO_LINE,
  SALES_INVOICE,
  SALES_INVOICE_LINE,
  type EntitySpec,
} from './entity-specs.js';
import { decimalOf, roundTo, textOf, ZERO_GUID, type StoredEntity, type Values } from './entity-values.js';
import { dimensionSetKey, dimensionSetOf, giveDimensionSet, type DimensionSet } from './dimension-set-lines.js';
import { postEntry } from './journals.js';

// Sales invoices and sales credit memos: a draft header (customer, currency, dates), its lines (items
// or G/L accounts, quantity x unit price, BC's own tax from the item's rate), and
// `Microsoft.NAV.post`, which turns the draft into a posted document under a new number, keeps its id,
// posts its G/L entries (receivable, revenue per account, tax) and, for a credit memo naming an invoice,
// applies the credit to what is still open on it. Posted documents cannot be changed. A stale etag is
// 409 on a header and 412 on a line. A new line takes the header's dimension set; posting puts the
// header's on the receivable and the tax, and each line's on its revenue.

export type SalesKind = 'invoice' | 'creditMemo';

export interface SalesKindSpec {
  kind: SalesKind;
  set: EntitySetName;
  lineSet: EntitySetName;
  spec: EntitySpec;
  lineSpec: EntitySpec;
  /** `invoiceDate` or `creditMemoDate`. */
  dateField: string;
  draftPrefix: string;
  postedPrefix: string;
  /** "invoice" or "credit memo", as BC's messages name them. */
  noun: string;
  documentType: string;
  /** The `parentType` of the header's and of a line's dimension set lines. */
  dimensionParent: 'Sales Invoice' | 'Sales Credit Memo';
  lineDimensionParent: 'Sales Invoice Line' | 'Sales Credit Memo Line';
}

export const SALES_KINDS: Readonly<Record<SalesKind, SalesKindSpec>> = {
  invoice: {
    kind: 'invoice',
    set: 'salesInvoices',
    lineSet: 'salesInvoiceLines',
    spec: SALES_INVOICE,
    lineSpec: SALES_INVOICE_LINE,
    dateField: 'invoiceDate',
    draftPrefix: 'S-INV',
    postedPrefix: 'PS-INV',
    noun: 'invoice',
    documentType: 'Invoice',
    dimensionParent: 'Sales Invoice',
    lineDimensionParent: 'Sales Invoice Line',
  },
  creditMemo: {
    kind: 'creditMemo',
    set: 'salesCreditMemos',
    lineSet: 'salesCreditMemoLines',
    spec: SALES_CREDIT_MEMO,
    lineSpec: SALES_CREDIT_MEMO_LINE,
    dateField: 'creditMemoDate',
    draftPrefix: 'S-CR',
    postedPrefix: 'PS-CR',
    noun: 'credit memo',
    documentType: 'Credit Memo',
    dimensionParent: 'Sales Credit Memo',
    lineDimensionParent: 'Sales Credit Memo Line',
  },
};

const posted = (document: StoredEntity) => document.values.status !== 'Draft';

export function refuseIfPosted(kind: SalesKindSpec, document: StoredEntity): void {
  if (posted(document))
    throw dialog(`The ${kind.noun} ${textOf(document.values, 'number')} is posted and cannot be changed.`);
}

/** Customer, bill-to customer, currency and applied invoice of a header body, as the page validates them. */
function applyHeaderValues(
  store: CompanyStore,
  kind: SalesKindSpec,
  header: Values,
  values: Values,
  creating: boolean,
) {
  const merged = { ...header, ...values };
  const { customers, customersById, currencies, currenciesById } = store.index;
  if (values.customerId !== undefined || values.customerNumber !== undefined || creating) {
    const byId = values.customerId === undefined ? undefined : customersById.get(String(values.customerId));
    if (values.customerId !== undefined && byId === undefined) throw dialog('The sell-to customer cannot be found.');
    const number = values.customerNumber === undefined ? undefined : String(values.customerNumber);
    if (byId !== undefined && number !== undefined && number !== byId.number)
      throw dialog('The sell-to customer values do not match to a specific Customer.');
    const customer = byId ?? (number === undefined ? undefined : customers.get(number));
    if (customer === undefined && number === undefined && creating)
      throw dialog('A "customerNumber" or a "customerId" must be provided.');
    if (customer === undefined) throw dialog('The sell-to customer cannot be found.');
    Object.assign(merged, { customerId: customer.id, customerNumber: customer.number, customerName: customer.name });
    if (values.billToCustomerId === undefined && values.billToCustomerNumber === undefined)
      Object.assign(merged, {
        billToCustomerId: customer.id,
        billToCustomerNumber: customer.number,
        billToName: customer.name,
      });
  }
  if (values.billToCustomerId !== undefined || values.billToCustomerNumber !== undefined) {
    const byId = values.billToCustomerId === undefined ? undefined : customersById.get(String(values.billToCustomerId));
    const customer = byId ?? customers.get(String(values.billToCustomerNumber ?? ''));
    if (customer === undefined) throw dialog('The bill-to customer cannot be found.');
    Object.assign(merged, {
      billToCustomerId: customer.id,
      billToCustomerNumber: customer.number,
      billToName: customer.name,
    });
  }
  if (values.currencyCode !== undefined) {
    // The local currency's code means no currency, as BC translates it.
    const code = String(values.currencyCode);
    if (code === '' || code === store.chart.localCurrency.toUpperCase())
      Object.assign(merged, { currencyCode: code, currencyId: ZERO_GUID });
    else if (currencies.has(code)) Object.assign(merged, { currencyCode: code, currencyId: currencies.get(code) });
    else throw dialog('The "currencyCode" does not match to a Currency.');
  } else if (values.currencyId !== undefined) {
    const code = currenciesById.get(String(values.currencyId));
    if (values.currencyId !== ZERO_GUID && code === undefined)
      throw dialog('The "currencyId" does not match to a Currency.');
    Object.assign(merged, { currencyCode: code ?? '', currencyId: values.currencyId });
  }
  if (kind.kind === 'creditMemo' && values.invoiceId !== undefined && values.invoiceId !== ZERO_GUID) {
    const invoice = store.get('salesInvoices', String(values.invoiceId));
    if (invoice === undefined || !posted(invoice)) throw dialog('The "invoiceId" does not match to an Invoice.');
    if (values.invoiceNumber !== undefined && values.invoiceNumber !== invoice.values.number)
      throw dialog('The "invoiceId" and "invoiceNumber" do not match to a specific Invoice.');
    merged.invoiceNumber = textOf(invoice.values, 'number');
  }
  Object.assign(header, merged);
}

export function createSalesDocument(store: CompanyStore, kind: SalesKindSpec, values: Values): StoredEntity {
  const today = store.today();
  const header: Values = { status: 'Draft', [kind.dateField]: today, postingDate: today };
  applyHeaderValues(store, kind, header, values, true);
  if (values.dueDate === undefined) header.dueDate = header[kind.dateField] ?? today;
  header.number = `${kind.draftPrefix}${store.next(kind.draftPrefix, 1001)}`;
  const document = store.create(kind.set, kind.spec, header);
  recomputeTotals(store, kind, document);
  return document;
}

export function updateSalesDocument(
  store: CompanyStore,
  kind: SalesKindSpec,
  document: StoredEntity,
  values: Values,
  ifMatch?: string,
): void {
  checkIfMatch(document, ifMatch, 409);
  refuseIfPosted(kind, document);
  const header = { ...document.values };
  applyHeaderValues(store, kind, header, values, false);
  document.values = header;
  store.touch(document);
}

export function deleteSalesDocument(
  store: CompanyStore,
  kind: SalesKindSpec,
  document: StoredEntity,
  ifMatch?: string,
) {
  checkIfMatch(document, ifMatch, 409);
  if (posted(document))
    throw dialog(`The ${kind.noun} ${textOf(document.values, 'number')} is posted and cannot be deleted.`);
  for (const line of store.list(kind.lineSet, document.id)) store.remove(kind.lineSet, line);
  store.remove(kind.set, document);
}

/** What a line's object is: an item or a G/L account, by id or number, as the lines page checks it. */
function applyLineObject(store: CompanyStore, line: Values, values: Values): void {
  if (
    values.itemId !== undefined &&
    values.accountId !== undefined &&
    values.itemId !== ZERO_GUID &&
    values.accountId !== ZERO_GUID
  )
    throw dialog('Both "itemId" and "accountId" are specified. Specify only one of them.');
  const type =
    values.lineType ??
    (values.itemId !== undefined ? 'Item' : values.accountId !== undefined ? 'Account' : (line.lineType ?? 'Comment'));
  line.lineType = type;
  if (type === 'Comment') {
    Object.assign(line, {
      lineObjectNumber: '',
      itemId: ZERO_GUID,
      accountId: ZERO_GUID,
      quantity: '0',
      unitPrice: '0',
    });
    return;
  }
  if (type === 'Item') {
    const { items, itemsById } = store.index;
    const item =
      values.itemId !== undefined
        ? itemsById.get(String(values.itemId))
        : items.get(String(values.lineObjectNumber ?? line.lineObjectNumber ?? ''));
    if (item === undefined) throw dialog('Item does not exist.');
    Object.assign(line, { itemId: item.id, lineObjectNumber: item.number, accountId: ZERO_GUID });
    if (values.description === undefined && !line.description) line.description = item.name;
    if (values.unitOfMeasureCode === undefined && !line.unitOfMeasureCode)
      line.unitOfMeasureCode = item.unitOfMeasureCode ?? 'PCS';
    line.taxPercent = String(item.taxPercent ?? 0);
    return;
  }
  if (type === 'Account') {
    const { accounts, accountsById } = store.index;
    const account =
      values.accountId !== undefined
        ? accountsById.get(String(values.accountId))
        : accounts.get(String(values.lineObjectNumber ?? line.lineObjectNumber ?? ''));
    if (account === undefined) throw dialog('Account does not exist.');
    Object.assign(line, {
      accountId: account.id,
      lineObjectNumber: account.number,
      itemId: ZERO_GUID,
      taxPercent: '0',
    });
    if (values.description === undefined && !line.description) line.description = account.name;
    return;
  }
  throw dialog(`The emulator takes Comment, Item and Account lines only, not ${String(type)} lines.`);
}

/** A line's amounts: quantity x unit price (to the cent), less the discount, and BC's tax at the item's rate. */
function computeLine(line: Values): void {
  const quantity = roundTo(decimalOf(line, 'quantity'), 5);
  const unitPrice = roundTo(decimalOf(line, 'unitPrice'), 5);
  const gross = roundTo(quantity.times(unitPrice), 2);
  const percent = decimalOf(line, 'discountPercent');
  const discount = percent.isZero()
    ? roundTo(decimalOf(line, 'discountAmount'), 2)
    : roundTo(gross.times(percent).dividedBy(100), 2);
  const net = gross.minus(discount);
  const tax = roundTo(net.times(decimalOf(line, 'taxPercent')).dividedBy(100), 2);
  Object.assign(line, {
    quantity: quantity.toFixed(),
    unitPrice: unitPrice.toFixed(),
    discountAmount: discount.toFixed(),
    amountExcludingTax: net.toFixed(),
    totalTaxAmount: tax.toFixed(),
    amountIncludingTax: net.plus(tax).toFixed(),
    netAmount: net.toFixed(),
    netTaxAmount: tax.toFixed(),
    netAmountIncludingTax: net.plus(tax).toFixed(),
  });
}

function recomputeTotals(store: CompanyStore, kind: SalesKindSpec, document: StoredEntity): void {
  const lines = store.list(kind.lineSet, document.id);
  const sum = (field: string) =>
    lines.reduce((total, line) => total.plus(decimalOf(line.values, field)), new Decimal(0));
  const excluding = sum('amountExcludingTax');
  const tax = sum('totalTaxAmount');
  Object.assign(document.values, {
    totalAmountExcludingTax: excluding.toFixed(),
    totalTaxAmount: tax.toFixed(),
    totalAmountIncludingTax: excluding.plus(tax).toFixed(),
  });
  if (kind.kind === 'invoice' && !posted(document)) document.values.remainingAmount = excluding.plus(tax).toFixed();
}

export function createSalesLine(
  store: CompanyStore,
  kind: SalesKindSpec,
  document: StoredEntity,
  values: Values,
): StoredEntity {
  refuseIfPosted(kind, document);
  if (values.documentId !== undefined && values.documentId !== document.id)
    throw dialog('The value for "documentId" cannot be modified.');
  const lines = store.list(kind.lineSet, document.id);
  const last = lines.reduce((max, line) => Math.max(max, Number(line.values.sequence)), 0);
  const sequence = typeof values.sequence === 'number' && values.sequence > 0 ? values.sequence : last + 10000;
  if (lines.some((line) => line.values.sequence === sequence))
    throw duplicateKey(
      400,
      'Sales Line',
      `Document Type='${kind.documentType}',Document No.='${textOf(document.values, 'number')}',Line No.='${sequence}'`,
    );
  const line: Values = { ...values, documentId: document.id, sequence };
  applyLineObject(store, line, values);
  computeLine(line);
  const created = store.create(kind.lineSet, kind.lineSpec, line, document.id);
  // A new line takes the header's dimension set, as the Sales Line's CreateDim does.
  giveDimensionSet(store, created, kind.lineDimensionParent, dimensionSetOf(store, document.id));
  recomputeTotals(store, kind, document);
  store.touch(document);
  return created;
}

export function updateSalesLine(
  store: CompanyStore,
  kind: SalesKindSpec,
  document: StoredEntity,
  line: StoredEntity,
  values: Values,
  ifMatch?: string,
): void {
  checkIfMatch(line, ifMatch, 412);
  refuseIfPosted(kind, document);
  if (values.documentId !== undefined && values.documentId !== document.id)
    throw dialog('The value for "documentId" cannot be modified.');
  if (values.sequence !== undefined && values.sequence !== line.values.sequence)
    throw dialog('The value for "sequence" cannot be modified. Delete and insert the line again.');
  if (
    values.lineObjectNumber !== undefined &&
    values.lineObjectNumber !== line.values.lineObjectNumber &&
    line.values.lineObjectNumber !== ''
  )
    throw dialog('The value for "lineObjectNumber" cannot be modified.');
  const draft = { ...line.values, ...values };
  applyLineObject(store, draft, values);
  computeLine(draft);
  line.values = draft;
  store.touch(line);
  recomputeTotals(store, kind, document);
  store.touch(document);
}

export function deleteSalesLine(
  store: CompanyStore,
  kind: SalesKindSpec,
  document: StoredEntity,
  line: StoredEntity,
  ifMatch?: string,
) {
  checkIfMatch(line, ifMatch, 412);
  refuseIfPosted(kind, document);
  store.remove(kind.lineSet, line);
  recomputeTotals(store, kind, document);
  store.touch(document);
}

/** Posts the document's G/L entries: receivable, each line's revenue account, BC's tax; reversed for a memo. */
function postLedger(store: CompanyStore, kind: SalesKindSpec, document: StoredEntity): void {
  const sign = kind.kind === 'invoice' ? 1 : -1;
  const { index, chart } = store;
  const transaction = store.next('transaction');
  const header = dimensionSetOf(store, document.id);
  const entry = (accountNumber: string, amount: Decimal, dimensions: DimensionSet) => {
    if (amount.isZero()) return;
    postEntry(store, {
      dimensions,
      transaction,
      postingDate: textOf(document.values, 'postingDate'),
      documentNumber: textOf(document.values, 'number'),
      documentType: kind.documentType,
      account: index.accounts.get(accountNumber.toUpperCase()),
      description: `${kind.documentType} ${textOf(document.values, 'number')}`,
      amount: amount.times(sign),
    });
  };
  // The receivable and the tax carry the header's dimension set, the revenue each line's.
  entry(chart.receivablesAccount, decimalOf(document.values, 'totalAmountIncludingTax'), header);
  const revenue = new Map<string, { account: string; dimensions: DimensionSet; amount: Decimal }>();
  for (const line of store.list(kind.lineSet, document.id)) {
    const { values } = line;
    if (values.lineType === 'Comment') continue;
    const account =
      values.lineType === 'Item'
        ? (index.items.get(textOf(values, 'lineObjectNumber'))?.salesAccount ?? '')
        : textOf(values, 'lineObjectNumber');
    const dimensions = dimensionSetOf(store, line.id);
    const key = `${account}\u0001${dimensionSetKey(dimensions)}`;
    const sum = revenue.get(key)?.amount ?? new Decimal(0);
    revenue.set(key, { account, dimensions, amount: sum.plus(decimalOf(values, 'amountExcludingTax')) });
  }
  for (const { account, dimensions, amount } of revenue.values()) entry(account, amount.negated(), dimensions);
  entry(chart.salesTaxAccount, decimalOf(document.values, 'totalTaxAmount').negated(), header);
}

/**
 * `Microsoft.NAV.post` of a draft: a posted number, its ledger entries, and for a credit memo naming an
 * invoice, the credit applied up to what is open on that invoice (the rest stays open on the memo).
 */
export function postSalesDocument(store: CompanyStore, kind: SalesKindSpec, document: StoredEntity): void {
  if (posted(document)) throw dialog(`The action can be applied to a draft ${kind.noun} only.`);
  const lines = store.list(kind.lineSet, document.id).filter((line) => line.values.lineType !== 'Comment');
  if (lines.length === 0)
    throw dialog(
      kind.kind === 'invoice' ? 'There is nothing to post.' : 'Please add at least one line item to the credit memo.',
    );
  const total = decimalOf(document.values, 'totalAmountIncludingTax');
  let open = total;
  if (kind.kind === 'creditMemo' && textOf(document.values, 'invoiceNumber') !== '') {
    const number = textOf(document.values, 'invoiceNumber');
    const invoice = store.list('salesInvoices').find((one) => one.values.number === number && posted(one));
    if (invoice === undefined) throw dialog(`The credit memo cannot be applied: there is no posted invoice ${number}.`);
    const remaining = decimalOf(invoice.values, 'remainingAmount');
    const applied = Decimal.max(0, Decimal.min(total, remaining));
    invoice.values.remainingAmount = remaining.minus(applied).toFixed();
    if (decimalOf(invoice.values, 'remainingAmount').isZero()) invoice.values.status = 'Paid';
    store.touch(invoice);
    open = total.minus(applied);
  }
  document.values.number = `${kind.postedPrefix}${store.next(kind.postedPrefix, 1001)}`;
  document.values.status = open.isZero() ? 'Paid' : 'Open';
  if (kind.kind === 'invoice') document.values.remainingAmount = total.toFixed();
  postLedger(store, kind, document);
  store.touch(document);
}

/** Records a customer payment of a posted invoice (the admin door), lowering what is open on it. */
export function payInvoice(store: CompanyStore, invoiceId: string, amount: Decimal): void {
  const invoice = store.get('salesInvoices', invoiceId);
  if (invoice === undefined || !posted(invoice)) throw dialog(`There is no posted invoice ${invoiceId}.`);
  const remaining = decimalOf(invoice.values, 'remainingAmount');
  if (amount.lte(0) || amount.gt(remaining))
    throw dialog(`A payment must be above zero and at most the ${remaining.toFixed(2)} open.`);
  invoice.values.remainingAmount = remaining.minus(amount).toFixed();
  if (decimalOf(invoice.values, 'remainingAmount').isZero()) invoice.values.status = 'Paid';
  store.touch(invoice);
}
