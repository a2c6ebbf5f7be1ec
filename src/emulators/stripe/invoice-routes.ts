import { invoiceLines, toApiCustomer, toApiInvoice } from './api-objects.js';
import { LIST_PARAMS, listPage, readCreated } from './list-page.js';
import {
  checkParams,
  mergeMetadata,
  readBoolean,
  readCurrency,
  readEnum,
  readInteger,
  readMetadata,
  readString,
} from './param-readers.js';
import { seconds, type ApiCall, type Reply, type RouteContext } from './route-context.js';
import { invalidParam, invalidRequest, missingParam, noSuch } from './stripe-error.js';
import type { InvoiceRecord } from './stripe-store.js';

// `/v1/invoices` as far as drafts go: create a draft for a customer (with its pending invoice items when
// `pending_invoice_items_behavior=include`; since 2022-08-01 the default is `exclude`), retrieve, list,
// and read its lines. Finalizing, paying and voiding are not emulated. `/v1/customers/{id}`: retrieve.

const CREATE_PARAMS = [
  'auto_advance',
  'collection_method',
  'currency',
  'customer',
  'days_until_due',
  'description',
  'metadata',
  'pending_invoice_items_behavior',
];
const CREATE_UNEMULATED = [
  'account_tax_ids',
  'application_fee_amount',
  'automatic_tax',
  'custom_fields',
  'default_payment_method',
  'default_source',
  'default_tax_rates',
  'discounts',
  'due_date',
  'effective_at',
  'expand',
  'footer',
  'from_invoice',
  'issuer',
  'number',
  'on_behalf_of',
  'payment_settings',
  'rendering',
  'shipping_cost',
  'shipping_details',
  'statement_descriptor',
  'subscription',
  'transfer_data',
];

export function createInvoice(call: ApiCall, context: RouteContext): Reply {
  const { params } = call;
  const { store } = context;
  checkParams(params, CREATE_PARAMS, CREATE_UNEMULATED);
  const customerId = readString(params, 'customer', { required: true })!;
  const customer = store.customers.get(customerId);
  if (customer === undefined) throw noSuch('customer', customerId, 'customer', 400);
  const collectionMethod =
    readEnum(params, 'collection_method', ['charge_automatically', 'send_invoice'] as const) ?? 'charge_automatically';
  const daysUntilDue = readInteger(params, 'days_until_due', { min: 0, max: 730 }) ?? null;
  if (collectionMethod === 'send_invoice' && daysUntilDue === null) throw missingParam('days_until_due');
  if (collectionMethod === 'charge_automatically' && daysUntilDue !== null)
    throw invalidParam('days_until_due', 'days_until_due can only be set when collection_method is send_invoice.');
  const behavior = readEnum(params, 'pending_invoice_items_behavior', ['include', 'exclude'] as const) ?? 'exclude';
  const currency = readCurrency(params) ?? customer.currency ?? 'usd';
  const pending = behavior === 'include' ? store.pendingItems(customerId, currency) : [];
  if (behavior === 'include' && pending.length === 0)
    throw invalidRequest(`Nothing to invoice for customer`, {
      code: 'invoice_no_customer_line_items',
      param: 'customer',
    });
  const invoice: InvoiceRecord = {
    id: store.newId('in'),
    customer: customerId,
    currency,
    status: 'draft',
    created: seconds(context.now()),
    description: readString(params, 'description') || null,
    metadata: mergeMetadata({}, readMetadata(params)),
    autoAdvance: readBoolean(params, 'auto_advance') ?? false,
    collectionMethod,
    daysUntilDue,
    items: pending.map((item) => item.id),
  };
  for (const item of pending) item.invoice = invoice.id;
  store.invoices.set(invoice.id, invoice);
  return { status: 200, body: toApiInvoice(invoice, store), committed: true };
}

function findInvoice(call: ApiCall, context: RouteContext): InvoiceRecord {
  const id = call.ids[1]!;
  const invoice = context.store.invoices.get(id);
  if (invoice === undefined) throw noSuch('invoice', id, 'invoice', 404);
  return invoice;
}

export function retrieveInvoice(call: ApiCall, context: RouteContext): Reply {
  checkParams(call.params, [], ['expand']);
  return { status: 200, body: toApiInvoice(findInvoice(call, context), context.store) };
}

export function listInvoices(call: ApiCall, context: RouteContext): Reply {
  const { params } = call;
  checkParams(
    params,
    [...LIST_PARAMS, 'customer', 'status', 'collection_method'],
    ['expand', 'subscription', 'due_date'],
  );
  const customer = readString(params, 'customer');
  const status = readEnum(params, 'status', ['draft', 'open', 'paid', 'uncollectible', 'void'] as const);
  const method = readEnum(params, 'collection_method', ['charge_automatically', 'send_invoice'] as const);
  const created = readCreated(params);
  const matching = [...context.store.invoices.values()]
    .filter(
      (invoice) =>
        (!customer || invoice.customer === customer) &&
        (status === undefined || invoice.status === status) &&
        (method === undefined || invoice.collectionMethod === method) &&
        created(invoice.created),
    )
    .reverse();
  return {
    status: 200,
    body: listPage(matching, params, 'invoice', '/v1/invoices', (invoice) => toApiInvoice(invoice, context.store)),
  };
}

/** `GET /v1/invoices/{id}/lines`: in line order (oldest first), as Stripe lists an invoice's lines. */
export function listInvoiceLines(call: ApiCall, context: RouteContext): Reply {
  const { params } = call;
  checkParams(params, ['limit', 'starting_after', 'ending_before'], ['expand']);
  const invoice = findInvoice(call, context);
  const lines = invoiceLines(invoice, context.store) as Array<Record<string, unknown> & { id: string }>;
  return {
    status: 200,
    body: listPage(lines, params, 'line_item', `/v1/invoices/${invoice.id}/lines`, (line) => line),
  };
}

export function retrieveCustomer(call: ApiCall, context: RouteContext): Reply {
  checkParams(call.params, [], ['expand']);
  const id = call.ids[1]!;
  const customer = context.store.customers.get(id);
  if (customer === undefined) throw noSuch('customer', id, 'id', 404);
  return { status: 200, body: toApiCustomer(customer) };
}
