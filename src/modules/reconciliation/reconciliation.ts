// The reconciliation module's types: a run over one period (and optionally one legal entity), its totals
// at each stage — source usage, rated and invoiced, posted, held by the target — and its mismatches,
// each classified, with the ids needed to act and what was or must be done.

export const MISMATCH_CLASSES = [
  /** Usage records marked billed by a document that has no line for their meter. */
  'usage_not_on_invoice',
  /** Usage no finalized document bills, after the period's close (its end and the grace period). */
  'unbilled_past_close',
  /** A finalized document of a posted legal entity that no posting carries. */
  'invoice_not_posted',
  /** A delivered posting the target does not hold when read back. */
  'posting_missing_in_target',
  /** The target holds the posting's external id under another document than the one recorded. */
  'document_differs_in_target',
  /** The target's copy of a posting has another total than what was sent (where the read-back says totals). */
  'amount_mismatch',
  /**
   * The target's copy of a posting has the total sent, but its lines, summed per account (a document's per
   * item, a billing hand-off's per line), differ: an amount moved by hand (where the read-back says lines).
   */
  'account_mismatch',
  /** The target holds two or more documents under one of Meterbridge's external ids. */
  'duplicate_in_target',
  /** The target holds a document under an external id of Meterbridge's shape that no posting of it has. */
  'unknown_document_in_target',
  /** A posting still pending or retrying longer than the stuck threshold. */
  'posting_stuck',
  /** A posting in the dead-letter queue. */
  'posting_dead',
  /** A delivered accrual whose reversal is not delivered. */
  'accrual_not_reversed',
] as const;
export type MismatchClass = (typeof MISMATCH_CLASSES)[number];

/** Classes whose repair is safe to make without a person: each only puts a posting back in line. */
export const REPAIRABLE: ReadonlySet<MismatchClass> = new Set(['posting_missing_in_target', 'posting_stuck']);

export interface Mismatch {
  seq: number;
  class: MismatchClass;
  legalEntity: string | null;
  currency: string | null;
  customer: string | null;
  meter: string | null;
  targetKey: string | null;
  invoiceId: string | null;
  postingId: string | null;
  externalId: string | null;
  targetDocumentId: string | null;
  /** Exact decimal text: what Meterbridge has, and what the other side has, where amounts or counts apply. */
  expected: string | null;
  actual: string | null;
  detail: string;
  /** What a person must do, or what the repair did. */
  action: string;
  repaired: boolean;
}

export type NewMismatch = Omit<Mismatch, 'seq' | 'repaired'>;

/** A mismatch's places and ids, none set: each finding fills in what it knows. */
export const NO_PLACE = {
  legalEntity: null,
  currency: null,
  customer: null,
  meter: null,
  targetKey: null,
  invoiceId: null,
  postingId: null,
  externalId: null,
  targetDocumentId: null,
  expected: null,
  actual: null,
} as const;

/** Per legal entity and currency: each stage's total, equal to the cent when the period is clean. */
export interface StageTotals {
  legalEntity: string;
  currency: string;
  usageRecords: number;
  usageRecordsInvoiced: number;
  /** Finalized documents of the period and their totals. */
  documents: number;
  invoiced: string;
  /** Totals of the documents some delivered posting carries to each target. */
  posted: Record<string, string>;
  /** Totals of the documents whose every delivered posting the target was read back to hold. */
  verified: Record<string, string>;
}

/** An entity and currency's totals before anything is counted. */
export const emptyStageTotals = (legalEntity: string, currency: string): StageTotals => ({
  legalEntity,
  currency,
  usageRecords: 0,
  usageRecordsInvoiced: 0,
  documents: 0,
  invoiced: '0',
  posted: {},
  verified: {},
});

/** One row per legal entity, currency, customer and meter: usage against what documents bill. */
export interface MeterRow {
  legalEntity: string;
  currency: string;
  customer: string;
  meter: string | null;
  usageRecords: number;
  usageQuantity: string;
  invoicedRecords: number;
  invoicedRecordQuantity: string;
  lineQuantity: string | null;
  lineAmount: string;
}

/** A target whose holdings could not be read back: that part is unverified, never clean. */
export interface UnverifiedTarget {
  targetKey: string;
  reason: string;
  postingsUnread: number;
}

/** Queued for a worker, running (under a lease), or ended. */
export type RunStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface ReconciliationRun {
  id: string;
  period: string;
  legalEntity: string | null;
  /** The period has not closed yet (its end and the grace period): the report is provisional. */
  provisional: boolean;
  repair: boolean;
  status: RunStatus;
  requestedBy: string;
  startedAt: string;
  finishedAt: string | null;
  /** Mismatches by class, targets left unverified, postings read back. */
  summary: ReconciliationSummary;
  totals: StageTotals[];
  rows: MeterRow[];
  error: string | null;
}

export interface ReconciliationSummary {
  mismatches: number;
  byClass: Partial<Record<MismatchClass, number>>;
  repaired: number;
  postingsRead: number;
  /** Requests sent to targets to read them (look-ups, listing pages, meters' sums), as their paces counted. */
  readRequests: number;
  /** Documents a target must hold that only postings not delivered yet carry there (not a mismatch until stuck). */
  awaitingDelivery: number;
  unverified: UnverifiedTarget[];
  /** True only when nothing mismatches, nothing awaits delivery and nothing is unverified. */
  clean: boolean;
}
