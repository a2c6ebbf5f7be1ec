import type { StripeCustomerSeed, StripeMeterSeed } from './emulator-options.js';

// The account's objects, in memory, in the order they were created (Stripe lists newest first, and a
// list's cursor is an object id, so the order must be total even within one second). Ids are Stripe's
// shape (`ii_` and 24 characters) drawn from the emulator's seeded random source, so a run repeats.

export interface CustomerRecord {
  id: string;
  name: string | null;
  email: string | null;
  currency: string | null;
  created: number;
}

export interface InvoiceItemRecord {
  id: string;
  customer: string;
  amount: number;
  currency: string;
  description: string | null;
  discountable: boolean;
  invoice: string | null;
  metadata: Record<string, string>;
  period: { start: number; end: number };
  quantity: number;
  unitAmount: number | null;
  unitAmountDecimal: string | null;
  /** Creation time, Unix seconds (the object's `date`). */
  created: number;
}

export interface InvoiceRecord {
  id: string;
  customer: string;
  currency: string;
  status: 'draft';
  created: number;
  description: string | null;
  metadata: Record<string, string>;
  autoAdvance: boolean;
  collectionMethod: 'charge_automatically' | 'send_invoice';
  daysUntilDue: number | null;
  /** Its invoice items, in line order. */
  items: string[];
}

export interface MeterEventRecord {
  event_name: string;
  identifier: string;
  payload: Record<string, string>;
  /** Unix seconds. */
  timestamp: number;
  /** When Stripe received it, Unix seconds. */
  created: number;
  /** When it was received, ms on the emulator's clock: identifiers are unique within a rolling 24 hours. */
  receivedMs: number;
  via: 'v1' | 'v2';
  /** Why the event is not counted (v2 validates after accepting); undefined when it counts. */
  error?: { code: string; message: string };
}

export interface MeterRecord {
  id: string;
  eventName: string;
  displayName: string;
  formula: 'sum' | 'count';
  created: number;
}

export interface SessionRecord {
  id: string;
  token: string;
  created: number;
  expiresAtMs: number;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class StripeStore {
  readonly customers = new Map<string, CustomerRecord>();
  readonly invoiceItems = new Map<string, InvoiceItemRecord>();
  readonly invoices = new Map<string, InvoiceRecord>();
  readonly meters = new Map<string, MeterRecord>();
  readonly meterEvents: MeterEventRecord[] = [];
  readonly sessions = new Map<string, SessionRecord>();

  constructor(private readonly random: () => number) {}

  /** `ii_1Ab...`: a prefix and 24 characters, as Stripe's ids. */
  newId(prefix: string, length = 24): string {
    let id = `${prefix}_1`;
    for (let index = 1; index < length; index += 1) id += ALPHABET[Math.floor(this.random() * ALPHABET.length)];
    return id;
  }

  seed(customers: readonly StripeCustomerSeed[], meters: readonly StripeMeterSeed[], nowSeconds: number): void {
    for (const customer of customers) this.addCustomer(customer, nowSeconds);
    for (const meter of meters)
      this.meters.set(meter.id, {
        id: meter.id,
        eventName: meter.event_name,
        displayName: meter.display_name ?? meter.event_name,
        formula: meter.formula ?? 'sum',
        created: nowSeconds,
      });
  }

  addCustomer(seed: Partial<StripeCustomerSeed>, nowSeconds: number): CustomerRecord {
    const customer: CustomerRecord = {
      id: seed.id ?? this.newId('cus', 14),
      name: seed.name ?? null,
      email: seed.email ?? null,
      currency: seed.currency?.toLowerCase() ?? null,
      created: nowSeconds,
    };
    this.customers.set(customer.id, customer);
    return customer;
  }

  /**
   * A copy of an item, as a person makes one in the Dashboard or another integration posts one: a new
   * id, the same customer, amounts, description, period and metadata, pending (on no invoice), created now.
   */
  copyInvoiceItem(id: string, nowSeconds: number): InvoiceItemRecord | undefined {
    const item = this.invoiceItems.get(id);
    if (item === undefined) return undefined;
    const copy: InvoiceItemRecord = {
      ...item,
      id: this.newId('ii'),
      metadata: { ...item.metadata },
      period: { ...item.period },
      invoice: null,
      created: nowSeconds,
    };
    this.invoiceItems.set(copy.id, copy);
    return copy;
  }

  /** An item's amount edited by hand: Stripe then states it as one unit of that amount. */
  setInvoiceItemAmount(id: string, amount: number): InvoiceItemRecord | undefined {
    if (!Number.isSafeInteger(amount)) throw new RangeError(`an amount is whole minor units, not ${amount}`);
    const item = this.invoiceItems.get(id);
    if (item === undefined) return undefined;
    Object.assign(item, { amount, quantity: 1, unitAmount: amount, unitAmountDecimal: String(amount) });
    return item;
  }

  /** The pending (not yet invoiced) items of a customer in a currency, oldest first. */
  pendingItems(customer: string, currency: string): InvoiceItemRecord[] {
    return [...this.invoiceItems.values()].filter(
      (item) => item.customer === customer && item.invoice === null && item.currency === currency,
    );
  }

  clear(): void {
    this.customers.clear();
    this.invoiceItems.clear();
    this.invoices.clear();
    this.meters.clear();
    this.meterEvents.length = 0;
    this.sessions.clear();
  }
}
