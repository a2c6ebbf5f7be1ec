import { Decimal } from 'decimal.js';
import { toApiInvoiceItem } from './api-objects.js';
import { LIST_PARAMS, listPage, readCreated } from './list-page.js';
import {
  checkParams,
  mergeMetadata,
  readBoolean,
  readCurrency,
  readDecimal,
  readHash,
  readInteger,
  readMetadata,
  readString,
} from './param-readers.js';
import { seconds, type ApiCall, type Reply, type RouteContext } from './route-context.js';
import { invalidParam, invalidRequest, missingParam, noSuch } from './stripe-error.js';
import type { InvoiceItemRecord } from './stripe-store.js';

// `/v1/invoiceitems`: create (a one-off charge on a customer's next invoice, or on a draft invoice named
// by `invoice`), retrieve, list (by customer, invoice, pending, created) and delete. The amount is
// `amount`, or `unit_amount` / `unit_amount_decimal` (cents, at most 12 decimals) times `quantity`
// (a whole number), rounded half up to a whole cent.

const CREATE_PARAMS = [
  'amount',
  'currency',
  'customer',
  'description',
  'discountable',
  'invoice',
  'metadata',
  'period',
  'quantity',
  'unit_amount',
  'unit_amount_decimal',
];
const CREATE_UNEMULATED = [
  'discounts',
  'expand',
  'price',
  'price_data',
  'subscription',
  'tax_behavior',
  'tax_code',
  'tax_rates',
];
/** Past this many cents (either sign) an amount is refused: Stripe's integers are 8 digits for most currencies. */
export const MAX_AMOUNT = 999_999_999_999;
/** Stripe's limit on the items of one invoice. */
export const MAX_ITEMS_PER_INVOICE = 250;

function readAmounts(
  call: ApiCall,
): Pick<InvoiceItemRecord, 'amount' | 'quantity' | 'unitAmount' | 'unitAmountDecimal'> {
  const { params } = call;
  const amount = readInteger(params, 'amount');
  const unitAmount = readInteger(params, 'unit_amount');
  const unitDecimal = readDecimal(params, 'unit_amount_decimal');
  const quantity = readInteger(params, 'quantity', { min: 0 });
  const given = [amount, unitAmount, unitDecimal].filter((value) => value !== undefined).length;
  if (given > 1)
    throw invalidRequest('You may only specify one of these parameters: amount, unit_amount, unit_amount_decimal.');
  if (given === 0)
    throw invalidRequest('You must specify one of these parameters: amount, unit_amount, unit_amount_decimal.', {
      code: 'parameter_missing',
      param: 'amount',
    });
  let result: Pick<InvoiceItemRecord, 'amount' | 'quantity' | 'unitAmount' | 'unitAmountDecimal'>;
  if (amount !== undefined) {
    if (quantity !== undefined && quantity !== 1)
      throw invalidParam('quantity', 'You cannot set quantity together with amount: use unit_amount instead.');
    result = { amount, quantity: 1, unitAmount: amount, unitAmountDecimal: String(amount) };
  } else {
    const unit = new Decimal(unitDecimal ?? String(unitAmount));
    const count = quantity ?? 1;
    const total = unit.times(count).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
    result = {
      amount: total.toNumber(),
      quantity: count,
      unitAmount: unit.isInteger() ? unit.toNumber() : null,
      unitAmountDecimal: unit.toFixed(),
    };
  }
  if (Math.abs(result.amount) > MAX_AMOUNT)
    throw invalidRequest(`The amount must be no more than ${MAX_AMOUNT} in absolute value.`, {
      code: 'amount_too_large',
      param: amount === undefined ? 'quantity' : 'amount',
    });
  return result;
}

function readPeriod(call: ApiCall, nowSeconds: number): { start: number; end: number } {
  const period = readHash(call.params, 'period', ['start', 'end']);
  if (period === undefined) return { start: nowSeconds, end: nowSeconds };
  const start = readInteger(period, 'start', { path: 'period[start]', min: 0 });
  const end = readInteger(period, 'end', { path: 'period[end]', min: 0 });
  if (start === undefined) throw missingParam('period[start]');
  if (end === undefined) throw missingParam('period[end]');
  if (end < start) throw invalidParam('period[end]', 'The period end must be at or after the period start.');
  return { start, end };
}

export function createInvoiceItem(call: ApiCall, context: RouteContext): Reply {
  const { params } = call;
  const { store } = context;
  checkParams(params, CREATE_PARAMS, CREATE_UNEMULATED);
  const customerId = readString(params, 'customer', { required: true })!;
  const customer = store.customers.get(customerId);
  if (customer === undefined) throw noSuch('customer', customerId, 'customer', 400);
  const amounts = readAmounts(call);
  const currency = readCurrency(params) ?? customer.currency;
  if (currency === null) throw missingParam('currency');
  const nowSeconds = seconds(context.now());
  const period = readPeriod(call, nowSeconds);
  const description = readString(params, 'description') ?? null;
  const discountable = readBoolean(params, 'discountable') ?? amounts.amount >= 0;
  const metadata = mergeMetadata({}, readMetadata(params));
  const invoiceId = readString(params, 'invoice');
  if (invoiceId) {
    const invoice = store.invoices.get(invoiceId);
    if (invoice === undefined) throw noSuch('invoice', invoiceId, 'invoice', 400);
    if (invoice.customer !== customerId)
      throw invalidParam('invoice', `Invoice ${invoiceId} belongs to another customer than ${customerId}.`);
    if (invoice.currency !== currency)
      throw invalidParam('currency', `The invoice ${invoiceId} is in ${invoice.currency}, not ${currency}.`);
    if (invoice.items.length >= MAX_ITEMS_PER_INVOICE)
      throw invalidParam('invoice', `An invoice can have at most ${MAX_ITEMS_PER_INVOICE} invoice items.`);
  }
  const item: InvoiceItemRecord = {
    id: store.newId('ii'),
    customer: customerId,
    ...amounts,
    currency,
    description: description === '' ? null : description,
    discountable,
    invoice: invoiceId || null,
    metadata,
    period,
    created: nowSeconds,
  };
  store.invoiceItems.set(item.id, item);
  if (invoiceId) store.invoices.get(invoiceId)!.items.push(item.id);
  if (customer.currency === null) customer.currency = currency;
  return { status: 200, body: toApiInvoiceItem(item), committed: true };
}

function findItem(call: ApiCall, context: RouteContext): InvoiceItemRecord {
  const id = call.ids[1]!;
  const item = context.store.invoiceItems.get(id);
  if (item === undefined) throw noSuch('invoiceitem', id, 'id', 404);
  return item;
}

export function retrieveInvoiceItem(call: ApiCall, context: RouteContext): Reply {
  checkParams(call.params, [], ['expand']);
  return { status: 200, body: toApiInvoiceItem(findItem(call, context)) };
}

export function deleteInvoiceItem(call: ApiCall, context: RouteContext): Reply {
  checkParams(call.params, []);
  const item = findItem(call, context);
  const { store } = context;
  if (item.invoice !== null) {
    const invoice = store.invoices.get(item.invoice);
    if (invoice !== undefined) invoice.items = invoice.items.filter((id) => id !== item.id);
  }
  store.invoiceItems.delete(item.id);
  return { status: 200, body: { id: item.id, object: 'invoiceitem', deleted: true }, committed: true };
}

export function listInvoiceItems(call: ApiCall, context: RouteContext): Reply {
  const { params } = call;
  checkParams(params, [...LIST_PARAMS, 'customer', 'invoice', 'pending'], ['expand']);
  const customer = readString(params, 'customer');
  const invoice = readString(params, 'invoice');
  const pending = readBoolean(params, 'pending');
  const created = readCreated(params);
  const matching = [...context.store.invoiceItems.values()]
    .filter(
      (item) =>
        (!customer || item.customer === customer) &&
        (!invoice || item.invoice === invoice) &&
        (pending === undefined || (item.invoice === null) === pending) &&
        created(item.created),
    )
    .reverse();
  return { status: 200, body: listPage(matching, params, 'invoiceitem', '/v1/invoiceitems', toApiInvoiceItem) };
}
