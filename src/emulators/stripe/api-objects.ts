import type {
  CustomerRecord,
  InvoiceItemRecord,
  InvoiceRecord,
  MeterEventRecord,
  MeterRecord,
  StripeStore,
} from './stripe-store.js';

// The stored records as the API version 2024-04-10 answers them: every field the OpenAPI description
// requires, the emulated ones filled in and the rest at the value an account with no payments, taxes,
// discounts or subscriptions has (null, false, empty). The contract test checks these shapes against
// Stripe's own description.

export const ACCOUNT_NAME = 'Meterbridge Stripe emulator';

export function toApiCustomer(customer: CustomerRecord): Record<string, unknown> {
  return {
    id: customer.id,
    object: 'customer',
    address: null,
    balance: 0,
    created: customer.created,
    currency: customer.currency,
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email: customer.email,
    invoice_prefix: customer.id.slice(4, 12).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: {},
    name: customer.name,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

export function toApiInvoiceItem(item: InvoiceItemRecord): Record<string, unknown> {
  return {
    id: item.id,
    object: 'invoiceitem',
    amount: item.amount,
    currency: item.currency,
    customer: item.customer,
    date: item.created,
    description: item.description,
    discountable: item.discountable,
    discounts: [],
    invoice: item.invoice,
    livemode: false,
    metadata: { ...item.metadata },
    period: { ...item.period },
    price: null,
    proration: false,
    quantity: item.quantity,
    subscription: null,
    tax_rates: [],
    test_clock: null,
    unit_amount: item.unitAmount,
    unit_amount_decimal: item.unitAmountDecimal,
  };
}

/** An invoice item as a line of its invoice (`il_` id, type `invoiceitem`). */
function toApiLine(item: InvoiceItemRecord, invoice: string): Record<string, unknown> {
  return {
    id: `il_${item.id.slice(3)}`,
    object: 'line_item',
    amount: item.amount,
    amount_excluding_tax: item.amount,
    currency: item.currency,
    description: item.description,
    discount_amounts: [],
    discountable: item.discountable,
    discounts: [],
    invoice,
    invoice_item: item.id,
    livemode: false,
    metadata: { ...item.metadata },
    period: { ...item.period },
    price: null,
    proration: false,
    proration_details: { credited_items: null },
    quantity: item.quantity,
    subscription: null,
    tax_amounts: [],
    tax_rates: [],
    type: 'invoiceitem',
    unit_amount_excluding_tax: item.unitAmountDecimal,
  };
}

export function invoiceLines(invoice: InvoiceRecord, store: StripeStore): Record<string, unknown>[] {
  return invoice.items.flatMap((id) => {
    const item = store.invoiceItems.get(id);
    return item === undefined ? [] : [toApiLine(item, invoice.id)];
  });
}

/** Stripe embeds the first 10 lines; the rest are read from `/v1/invoices/{id}/lines`. */
const EMBEDDED_LINES = 10;

export function toApiInvoice(invoice: InvoiceRecord, store: StripeStore): Record<string, unknown> {
  const lines = invoiceLines(invoice, store);
  const total = lines.reduce((sum, line) => sum + (line.amount as number), 0);
  const customer = store.customers.get(invoice.customer);
  return {
    id: invoice.id,
    object: 'invoice',
    account_country: 'US',
    account_name: ACCOUNT_NAME,
    account_tax_ids: null,
    amount_due: total,
    amount_paid: 0,
    amount_remaining: total,
    amount_shipping: 0,
    application: null,
    application_fee_amount: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: invoice.autoAdvance,
    automatic_tax: { enabled: false, liability: null, status: null },
    billing_reason: 'manual',
    charge: null,
    collection_method: invoice.collectionMethod,
    created: invoice.created,
    currency: invoice.currency,
    custom_fields: null,
    customer: invoice.customer,
    customer_address: null,
    customer_email: customer?.email ?? null,
    customer_name: customer?.name ?? null,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: invoice.description,
    discount: null,
    discounts: [],
    due_date: invoice.daysUntilDue === null ? null : invoice.created + invoice.daysUntilDue * 86_400,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: {
      object: 'list',
      data: lines.slice(0, EMBEDDED_LINES),
      has_more: lines.length > EMBEDDED_LINES,
      url: `/v1/invoices/${invoice.id}/lines`,
    },
    livemode: false,
    metadata: { ...invoice.metadata },
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    paid: false,
    paid_out_of_band: false,
    payment_intent: null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: invoice.created,
    period_start: invoice.created,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    quote: null,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: invoice.status,
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subscription: null,
    subscription_details: { metadata: null },
    subtotal: total,
    subtotal_excluding_tax: total,
    tax: null,
    test_clock: null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_tax_amounts: [],
    transfer_data: null,
    webhooks_delivered_at: null,
  };
}

export function toApiMeterEvent(event: MeterEventRecord): Record<string, unknown> {
  return {
    object: 'billing.meter_event',
    created: event.created,
    event_name: event.event_name,
    identifier: event.identifier,
    livemode: false,
    payload: { ...event.payload },
    timestamp: event.timestamp,
  };
}

export function toApiMeter(meter: MeterRecord): Record<string, unknown> {
  return {
    id: meter.id,
    object: 'billing.meter',
    created: meter.created,
    customer_mapping: { event_payload_key: 'stripe_customer_id', type: 'by_id' },
    default_aggregation: { formula: meter.formula },
    display_name: meter.displayName,
    event_name: meter.eventName,
    event_time_window: null,
    livemode: false,
    status: 'active',
    status_transitions: { deactivated_at: null },
    updated: meter.created,
    value_settings: { event_payload_key: 'value' },
  };
}
