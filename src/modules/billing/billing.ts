import type { Queryable } from '../../platform/database/database.js';
import { ConflictError, type FieldError } from '../../platform/errors.js';
import type { Catalog, CreditKind, Customer, Subscription } from '../catalog/index.js';
import type { RatingLine } from '../rating/index.js';

// The billing module's types: documents, their lines and the results of its operations. Every part
// (invoicing, fees, credits, late usage) imports them from here, so no part imports another for a type.

export type InvoiceStatus = 'draft' | 'finalized' | 'void';

/**
 * Told of each document finalized, in the finalizing transaction (posting to ledgers starts there): what it
 * writes commits with the document or not at all. Billing knows nothing of what listens.
 */
export interface DocumentListener {
  documentFinalized(tx: Queryable, document: Invoice, at: Date): Promise<void>;
  /** A finalized invoice voided (to be issued again with late usage): what it billed no longer stands. */
  documentVoided(tx: Queryable, document: Invoice, at: Date): Promise<void>;
}

export type InvoiceLineKind = 'usage' | 'flat_fee' | 'discount' | 'adjustment' | 'commitment' | 'credit' | 'tax';

export interface InvoiceLineDraft {
  lineNo: number;
  kind: InvoiceLineKind;
  chargeKey: string | null;
  meterKey: string | null;
  description: string;
  periodStart: string;
  periodEnd: string;
  quantity: string | null;
  unitPrice: string | null;
  amount: string;
  breakdown: RatingLine[];
  groups: { dimensions: Record<string, unknown>; quantity: string }[];
  /** Adjustment lines: the finalized invoice whose period they re-rate. */
  adjustsInvoiceId?: string;
  /** Commitment and credit lines: the contract's prepaid credit they invoice or draw down. */
  creditKey?: string;
}

export interface InvoiceDraft {
  subscriptionKey: string;
  customerKey: string;
  legalEntity: string;
  currency: string;
  periodStart: string;
  periodEnd: string;
  coveredStart: string;
  coveredEnd: string;
  catalogVersion: number;
  lines: InvoiceLineDraft[];
  subtotal: string;
  taxTotal: string;
  total: string;
  /** What the period's in-advance fees come to, by charge, when other documents bill them; checked on finalization. */
  advanceFees: Record<string, string>;
}

export type LineContent = Omit<InvoiceLineDraft, 'lineNo'>;

/** Who and what a document bills: the invoice's or memo's header. */
export interface DraftHeader {
  catalog: Catalog;
  catalogVersion: number;
  subscription: Subscription;
  customer: Customer;
  period: Period;
  covered: Period;
}

/** A stored line: what was drafted (the invoice it adjusts is not read back), naming its prepaid credit if any. */
export type InvoiceLine = Omit<InvoiceLineDraft, 'adjustsInvoiceId' | 'creditKey'> & { creditKey: string | null };

export interface Invoice {
  id: string;
  document: 'invoice' | 'memo';
  /** A memo: the finalized invoice whose period it corrects. */
  correctsInvoice: string | null;
  /** A reissued invoice: the voided one it replaces. */
  replacesInvoice: string | null;
  voidedAt: string | null;
  number: string | null;
  status: InvoiceStatus;
  subscription: string;
  customer: string;
  legalEntity: string;
  currency: string;
  periodStart: string;
  periodEnd: string;
  /** The part of the period the subscription was active in: the usage window the invoice bills. */
  coveredStart: string;
  coveredEnd: string;
  subtotal: string;
  taxTotal: string;
  total: string;
  catalogVersion: number;
  billingRun: string;
  createdAt: string;
  updatedAt: string;
  finalizeAfter: string;
  finalizedAt: string | null;
  lines?: InvoiceLine[];
}

export interface InvoiceFilter {
  customer?: string;
  status?: InvoiceStatus;
  legalEntity?: string;
  /** Invoices whose period starts in [from, to). */
  from?: Date;
  to?: Date;
  afterId?: string;
}

export interface LineEvent {
  seq: string;
  source: string;
  id: string;
  type: string;
  subject: string | null;
  time: string;
  value: string | null;
  dimensions: Record<string, unknown>;
}

export interface BillingRunSummary {
  id: string;
  period: string;
  catalogVersion: number;
  invoices: { created: number; updated: number; unchanged: number; finalized: number };
  /** Memos drafted for late usage under the `memo` policy (one per corrected invoice). */
  memos: { created: number; updated: number; unchanged: number };
  /** Subscription periods that start in the month but have not ended yet: billed by a later run. */
  pending: { subscription: string; periodEnd: string }[];
  /** Amounts of the documents created or updated, invoices and memos alike, per currency (exact decimal strings). */
  totals: Record<string, string>;
  /** Finalized invoices voided and drafted again with their late usage (`reissue` policy). */
  reissued: { voided: string; replacement: string }[];
}

export const INVOICE_FINALIZED_TOPIC = 'invoice.finalized';

/** What finalizing the due drafts did: the ids finalized, and the drafts left as they are with the reason. */
export interface FinalizeDueResult {
  finalized: string[];
  skipped: { id: string; reason: string }[];
}

export const INVOICE_VOIDED_TOPIC = 'invoice.voided';

/** A draft whose usage changed after it was drafted: the billing run of `runPeriod` draws it again. */
export class StaleUsageError extends ConflictError {
  constructor(
    invoiceId: string,
    readonly runPeriod: string,
    errors: FieldError[],
  ) {
    super(
      `invoice ${invoiceId} was drafted before usage of its period changed; a billing run of ${runPeriod} draws it again`,
      errors,
    );
  }
}

/** What other documents billed for one charge's fee in one period. */
export interface FeeBilled {
  /** Finalized documents' lines for it: their sum and numbers; undefined when none has a line for it. */
  finalized?: { amount: string; invoiceIds: string[]; numbers: string[] };
  /** Whether a draft has a line for it (its amount counts only once that draft is finalized). */
  drafted: boolean;
}

/** What other documents billed for a charge's fee in a period, seen from one document. */
export type FeeBilledLookup = (chargeKey: string, period: Period) => FeeBilled;

/** One adjustment line, with the finalized invoice and period it corrects. */
export interface LateAdjustment {
  invoiceId: string;
  number: string;
  period: Period;
  covered: Period;
  line: LineContent;
}

/** A correction of one finalized invoice: its adjustments (a memo) or the invoice to regenerate (reissue). */
export interface PlannedMemo {
  subscription: Subscription;
  invoiceId: string;
  number: string;
  period: Period;
  covered: Period;
  lines: LineContent[];
}

export const CREDIT_STATUSES = ['scheduled', 'active', 'exhausted', 'expired'] as const;

export type CreditStatus = (typeof CREDIT_STATUSES)[number];

/** A prepaid credit as finance reads it: what it was, what invoices drew, what is left. Amounts are money strings. */
export interface CreditBalance {
  /** `subscription/credit`: the credit's id, and the `after` of paging. */
  id: string;
  subscription: string;
  customer: string;
  key: string;
  name: string | null;
  kind: CreditKind;
  currency: string;
  amount: string;
  effectiveFrom: string;
  expiresAt: string | null;
  /** Charge keys it pays; null: every usage charge of the plan. */
  charges: string[] | null;
  priority: number;
  /** Drawn by finalized invoices and memos. */
  drawn: string;
  /** Drawn by drafts: final when they finalize, redrafted while they are not. */
  pending: string;
  /** Amount less drawn and pending; once expired, what was forfeited. */
  remaining: string;
  status: CreditStatus;
  /** A commit: the invoice its commitment line is on (null until a run drafts it). */
  invoicedOn: string | null;
}

/** One document's use of a credit: its commitment, or what it drew. Void documents are listed, never counted. */
export interface CreditEntry {
  invoice: string;
  number: string | null;
  document: 'invoice' | 'memo';
  status: InvoiceStatus;
  periodStart: string;
  periodEnd: string;
  kind: 'commitment' | 'credit';
  /** Positive: the commitment invoiced, or the amount drawn. */
  amount: string;
}

export interface CreditFilter {
  subscription?: string;
  customer?: string;
  status?: CreditStatus;
  /** A credit id (`subscription/credit`): list those after it. */
  after?: string;
}

export interface Period {
  start: Date;
  end: Date;
}
