import type { Queryable } from '../../platform/database/database.js';
import { NotFoundError } from '../../platform/errors.js';
import { fetchPage } from '../../platform/paging.js';
import type { Billing, Invoice, InvoiceLine } from '../billing/index.js';
import { findPostingsCarryingInvoice, type Posting } from '../outbox/index.js';
import type { EventPage, InvoiceSummary, LineSummary } from './lineage.js';

/** What lineage reads through: the store (for other modules' query functions) and billing's service. */
export interface LineageSources {
  db: Queryable;
  billing: Pick<Billing, 'get' | 'lineEvents'>;
}

/** The reads of one lookup, each invoice and each invoice's postings read once however often the tree names them. */
export interface LineageReader {
  db: Queryable;
  invoice(id: string): Promise<Invoice | undefined>;
  postingsCarrying(invoiceId: string): Promise<Posting[]>;
  /** The first page of a line's events; null for a line that bills no usage. */
  firstEvents(invoiceId: string, line: InvoiceLine, limit: number): Promise<EventPage | null>;
}

export function createReader({ db, billing }: LineageSources): LineageReader {
  const invoices = new Map<string, Promise<Invoice | undefined>>();
  const postings = new Map<string, Promise<Posting[]>>();
  const once = <T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> => {
    const known = cache.get(key);
    if (known) return known;
    const reading = read();
    cache.set(key, reading);
    return reading;
  };
  return {
    db,
    invoice: (id) =>
      once(invoices, id, async () => {
        try {
          return await billing.get(id);
        } catch (error) {
          if (error instanceof NotFoundError) return undefined;
          throw error;
        }
      }),
    postingsCarrying: (invoiceId) => once(postings, invoiceId, () => findPostingsCarryingInvoice(db, invoiceId)),
    async firstEvents(invoiceId, line, limit) {
      // The lines billing's line-events route answers with events (line-lineage.ts); others have none.
      if ((line.kind !== 'usage' && line.kind !== 'adjustment') || line.meterKey === null) return null;
      const page = await fetchPage(
        limit,
        (size) => billing.lineEvents(invoiceId, line.lineNo, '0', size),
        (event) => event.seq,
      );
      return { ...page, eventsPath: `/v1/invoices/${encodeURIComponent(invoiceId)}/lines/${line.lineNo}/events` };
    },
  };
}

export function invoiceSummary(invoice: Invoice): InvoiceSummary {
  return {
    id: invoice.id,
    number: invoice.number,
    status: invoice.status,
    document: invoice.document,
    customer: invoice.customer,
    subscription: invoice.subscription,
    legalEntity: invoice.legalEntity,
    currency: invoice.currency,
    periodStart: invoice.periodStart,
    periodEnd: invoice.periodEnd,
    subtotal: invoice.subtotal,
    taxTotal: invoice.taxTotal,
    total: invoice.total,
    finalizedAt: invoice.finalizedAt,
  };
}

export function lineSummary(line: InvoiceLine): LineSummary {
  return {
    lineNo: line.lineNo,
    kind: line.kind,
    charge: line.chargeKey,
    meter: line.meterKey,
    description: line.description,
    periodStart: line.periodStart,
    periodEnd: line.periodEnd,
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    amount: line.amount,
  };
}
