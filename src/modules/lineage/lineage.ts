import { AppError, type FieldError } from '../../platform/errors.js';
import type { EventException } from '../metering/index.js';
import type { InvoiceLine, InvoiceStatus, LineEvent } from '../billing/index.js';

// The lineage module's types: what is looked up, and the answers, a tree from events to a target's
// documents or back. Amounts are exact decimal text, as the documents and postings hold them.

/**
 * One lookup, its parameters checked (lineage-query.ts). `eventLimit` is the size of each page of events;
 * `given` names the parameters the lookup came from (where a 404 says what it looked up).
 */
export type LineageRequest = (
  | { lookup: 'event'; source: string; id: string }
  | { lookup: 'document'; target: string; id: string }
  | { lookup: 'line'; invoiceId: string; lineNo: number }
) & { eventLimit: number; given: readonly string[] };

/** Nothing by the looked-up id: `errors` says what was looked up, at the parameter that named it. */
export class LineageNotFoundError extends AppError {
  constructor(message: string, errors: FieldError[]) {
    super('not_found', message, errors);
  }
}

/** An invoice as lineage shows it: who, which period, its number and status, and its totals. */
export interface InvoiceSummary {
  id: string;
  number: string | null;
  status: InvoiceStatus;
  document: 'invoice' | 'memo';
  customer: string;
  subscription: string;
  legalEntity: string;
  currency: string;
  periodStart: string;
  periodEnd: string;
  subtotal: string;
  taxTotal: string;
  total: string;
  finalizedAt: string | null;
}

/** One line of an invoice: what it charges, how much of it, and for how much. */
export interface LineSummary {
  lineNo: number;
  kind: InvoiceLine['kind'];
  charge: string | null;
  meter: string | null;
  description: string;
  periodStart: string;
  periodEnd: string;
  quantity: string | null;
  unitPrice: string | null;
  amount: string;
}

/** A line of a posting's body: a journal line, an ERP document's line, a billing item, or a usage event. */
export type PostingLine =
  | {
      type: 'journal_line';
      /** Its position in the body's lines, from 0. */
      index: number;
      account: string;
      dimensions: Record<string, string>;
      debit: string;
      credit: string;
      memo: string;
      /** How many invoice lines the summarized journal line adds up (its amount is their sum). */
      summarizes: number;
      /** It reverses the invoice (the invoice's void). */
      voided: boolean;
    }
  | {
      type: 'document_line' | 'billing_item';
      index: number;
      /** The ERP item (an ERP document line); null for a billing item. */
      item: string | null;
      description: string;
      quantity: string | null;
      unitPrice: string | null;
      amount: string;
    }
  | { type: 'usage_event'; index: number; key: string; meter: string; value: string; time: string };

/** A posting: where it goes, what the target calls it, how far it got, and the lines that matter here. */
export interface PostingSummary {
  id: string;
  target: string;
  /** journal, invoice, credit_memo, accrual, reversal, billing_items, usage_events. */
  kind: string;
  externalId: string;
  status: string;
  /** The target's own id for the document (NetSuite's internal id, ...); null until delivered. */
  targetDocumentId: string | null;
  deliveredAt: string | null;
  /** Whole-body figures: the entry's or document's currency, date and total where the body has them. */
  currency: string | null;
  date: string | null;
  total: string | null;
  lines: PostingLine[];
  /** Usage events in the body that are left out of `lines` (a hand-off holds up to 5,000). */
  otherUsageEvents: number;
}

/** A page of the events behind a usage line, and where the next page is (billing's line-events route). */
export interface EventPage {
  items: LineEvent[];
  /** Pass as `after` to `eventsPath` for the next page; null on the last one. */
  next: string | null;
  eventsPath: string;
}

/** An invoice line a usage record is billed by, with the postings that carry it to targets. */
export interface BillingLine {
  invoice: InvoiceSummary;
  line: LineSummary;
  postings: PostingSummary[];
}

/** One usage record of the event, and the lines that bill it. */
export interface UsageNode {
  meter: string;
  value: string | null;
  time: string;
  customer: string;
  subscription: string;
  legalEntity: string;
  currency: string;
  catalogVersion: number;
  /** invoiced: a finalized (or voided) document bills it; draft: only a draft shows it; not_invoiced: neither. */
  billing: 'invoiced' | 'draft' | 'not_invoiced';
  /** What `billing` means for the customer, in words; null once invoiced. */
  note: string | null;
  lines: BillingLine[];
}

export interface EventNode {
  seq: string;
  source: string;
  id: string;
  type: string;
  subject: string | null;
  time: string;
  receivedAt: string;
}

/** From an event forward: its usage (or why there is none), the lines billing it and their postings. */
export interface EventLineage {
  lookup: 'event';
  event: EventNode;
  /**
   * metered: usage records, exceptions, or both; telemetry: metered and no meter reads it;
   * not_metered_yet: the metering stage has not reached it.
   */
  metering: 'metered' | 'telemetry' | 'not_metered_yet';
  /** Why there is no usage record when there is none, in words. */
  note: string | null;
  usage: UsageNode[];
  exceptions: EventException[];
}

/** From an invoice line both ways: its events (paged) and its postings. */
export interface LineLineage {
  lookup: 'line';
  invoice: InvoiceSummary;
  line: LineSummary;
  /** The first page of its events; null for a line without usage (a fee, tax, a discount). */
  events: EventPage | null;
  postings: PostingSummary[];
}

/** One invoice line a document carries: the document's lines that carry it, and its events. */
export interface CarriedLine {
  line: LineSummary;
  /** The posting's lines that carry this invoice line. */
  postingLines: PostingLine[];
  events: EventPage | null;
}

export interface CarriedInvoice {
  invoice: InvoiceSummary;
  lines: CarriedLine[];
}

/** A posting that is the looked-up document, with the invoices it carries. */
export interface DocumentPosting extends PostingSummary {
  invoices: CarriedInvoice[];
  /** Invoices the posting carries beyond the ones listed (a summarized day's entry can carry thousands). */
  moreInvoices: number;
}

/** From a target's document back: its postings, the invoices and lines they carry, and their events. */
export interface DocumentLineage {
  lookup: 'document';
  target: string;
  document: string;
  postings: DocumentPosting[];
}

export type Lineage = EventLineage | LineLineage | DocumentLineage;
