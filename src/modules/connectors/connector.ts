import type { Clock } from '../../platform/clock.js';

// The port every delivery target implements, and the vocabulary it speaks: vendor-neutral journal
// entries and ERP documents (built by accounting), failures classified so that the outbox's one policy
// can decide what to do, and the registry by kind. Nothing outside a connector's folder knows a vendor.

/** Every kind a target can be; a kind is usable once a connector registers it. */
export const TARGET_KINDS = [
  'netsuite',
  'webhook',
  'file',
  'sap-s4hana',
  'business-central',
  'oracle-fusion',
  'stripe',
] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** How a legal entity's ledger receives its documents. */
export const POSTING_MODES = ['journal', 'invoice'] as const;
export type PostingMode = (typeof POSTING_MODES)[number];

/** Limits that hold across every process posting to the target (coordinated through the database). */
export interface TargetLimits {
  requestsPerSecond: number;
  concurrency: number;
}

/** A target as the catalog declares it. `credentials` names a secret; the secret itself is never here. */
export interface TargetDefinition {
  key: string;
  kind: TargetKind;
  /** The kind's connection settings (base URL, account, ...), checked by the kind's settings schema. */
  settings: Record<string, unknown>;
  credentials?: string;
  limits: TargetLimits;
}

/** Where a journal line goes in the ledger: the account and the target's dimensions. */
export interface LedgerPlace {
  account: string;
  /** Subsidiary, department, class, location, ... as the entity's accounting map gives them. */
  dimensions: Record<string, string>;
}

/** A document line a journal line summarizes: drill-down from the ledger to Meterbridge. */
export interface LineReference {
  invoiceId: string;
  invoiceNumber: string;
  lineNo: number;
  /** The line reverses the document: its void (absent for the document's own lines). */
  voided?: true;
}

export interface JournalLine extends LedgerPlace {
  /** Exact decimal text, at most the currency's minor unit; exactly one of debit and credit is non-zero. */
  debit: string;
  credit: string;
  memo: string;
  references: LineReference[];
}

/** A balanced journal entry: debits equal credits exactly (checked before it is stored). */
export interface JournalEntry {
  type: 'journal';
  /** Deterministic, unique per target, at most 16 characters of A-Z 0-9 and `-`. */
  externalId: string;
  legalEntity: string;
  currency: string;
  /** YYYY-MM-DD. */
  postingDate: string;
  memo: string;
  lines: JournalLine[];
}

export interface ErpDocumentLine {
  /** The ERP item (or revenue account) the line maps to. */
  item: string;
  description: string;
  quantity: string | null;
  unitPrice: string | null;
  amount: string;
  reference: LineReference;
}

/** One ERP invoice or credit memo per Meterbridge document (invoice mode). */
export interface ErpDocument {
  type: 'invoice' | 'credit_memo';
  externalId: string;
  legalEntity: string;
  /** The customer's id in the ERP (`externalIds.erp`). */
  customer: string;
  currency: string;
  /** YYYY-MM-DD. */
  documentDate: string;
  memo: string;
  dimensions: Record<string, string>;
  lines: ErpDocumentLine[];
  tax: string;
  total: string;
  /** For a credit memo: the external id of the document it credits. */
  corrects?: string;
  /** The Meterbridge document it comes from, for references a person can search the ERP by. */
  source?: { invoiceId: string; invoiceNumber: string };
}

/** What a ledger takes: a journal entry (journal mode) or an ERP document (invoice mode). */
export type LedgerBody = JournalEntry | ErpDocument;

/** One line of a Meterbridge document as a billing platform charges it. */
export interface BillingItem {
  description: string;
  /** Decimal text; null for a line without one (a flat fee, tax, a discount). */
  quantity: string | null;
  unitPrice: string | null;
  /** Exact decimal text in the document's currency, already rounded to its minor unit; negative for a credit. */
  amount: string;
  /** The service period the line bills, RFC 3339 instants. */
  period: { start: string; end: string };
  reference: LineReference;
}

/**
 * A finalized Meterbridge document handed to a billing platform as charges on the customer's account
 * (`billedIn` in the catalog): one item per document line, tax included, so the platform's invoice and
 * Meterbridge's agree to the cent.
 */
export interface BillingHandOff {
  type: 'billing_items';
  externalId: string;
  /** The customer's id in the billing platform (`externalIds.billing`). */
  customer: string;
  currency: string;
  /** true: the platform issues the customer's invoice for these items now; false: its next invoice picks them up. */
  issue: boolean;
  memo: string;
  source: { invoiceId: string; invoiceNumber: string };
  items: BillingItem[];
  /** The document's total: the items' amounts add up to it exactly. */
  total: string;
}

/** One usage record as a billing platform's meter counts it. */
export interface UsageEvent {
  /** The usage record's key (its event's position in the log and its meter): the platform counts it once. */
  key: string;
  meter: string;
  /** Non-negative decimal text (a count meter's record counts 1). */
  value: string;
  /** RFC 3339: when the usage happened. */
  time: string;
}

/**
 * The usage records behind a finalized document's usage lines, handed to a billing platform's meters, in
 * parts of at most USAGE_EVENTS_PER_POSTING records (`part` from 1).
 */
export interface UsageHandOff {
  type: 'usage_events';
  externalId: string;
  customer: string;
  source: { invoiceId: string; invoiceNumber: string };
  part: number;
  events: UsageEvent[];
}

/** A usage hand-off is split into postings of at most this many records, each sent and retried on its own. */
export const USAGE_EVENTS_PER_POSTING = 5_000;

/** What a billing platform takes. */
export type BillingBody = BillingHandOff | UsageHandOff;

export type PostingBody = LedgerBody | BillingBody;

/** The body as a ledger target takes it; a billing body sent to a ledger is refused as the catalog's mistake. */
export function ledgerBody(body: PostingBody, kind: string): LedgerBody {
  if (body.type === 'journal' || body.type === 'invoice' || body.type === 'credit_memo') return body;
  throw new DeliveryFailure(
    'invalid',
    `a ${kind} target keeps a ledger: it takes no ${body.type} (${body.externalId})`,
  );
}

/**
 * Why a delivery failed, as the connector reads the target's answer. The outbox's retry policy decides
 * per class: `throttled` and `unavailable` wait and retry, `unknown_outcome` reads back before any
 * retry, `invalid` and `auth` need a person (a fixed mapping, a secret).
 */
export type FailureClass = 'throttled' | 'unavailable' | 'unknown_outcome' | 'invalid' | 'auth';

export interface FailureDetail {
  /** The target's own answer, whole (its body text), or the transport error. */
  targetText?: string;
  status?: number;
  /** The target's error code (`o:errorCode`, `error.code`, ...). */
  code?: string;
  /** Where in the document the target found the problem (`o:errorPath`, ...). */
  path?: string;
  /** From `Retry-After` (seconds or a date), in milliseconds from now. */
  retryAfterMs?: number;
  /**
   * For a throttle, what the target says it limits, when it says: requests in flight at once, or
   * requests per period. The policy lowers that one; it lowers both when the target does not say.
   */
  throttledOn?: 'concurrency' | 'rate';
}

export class DeliveryFailure extends Error {
  constructor(
    readonly failureClass: FailureClass,
    message: string,
    readonly detail: FailureDetail = {},
  ) {
    super(message);
    this.name = 'DeliveryFailure';
  }
}

/** One line of a document as the target holds it: where it is booked, and its amount. */
export interface HeldLine {
  /** A journal line's account; an ERP document line's item; a billing item's description. */
  place: string;
  /** Exact decimal text: a journal line's debit less its credit; a document line's or billing item's amount. */
  amount: string;
}

/** A document as a target's read-back sees it. */
export interface HeldDocument {
  /** The target's own id. */
  id: string;
  /**
   * Its total as the target holds it, exact decimal text, when the read-back says: a journal entry's
   * debits, an invoice's or credit memo's total (stated positive), a billing hand-off's items' sum.
   */
  total?: string;
  /**
   * Its lines as the target holds them, when the read-back says: reconciliation compares them, summed per
   * place, with what was sent, so an edit that moves an amount to another account is found even where
   * the total is kept. Tax lines a target computes itself are left out (the total covers them).
   */
  lines?: HeldLine[];
}

/** A document a target lists. */
export interface ListedDocument extends HeldDocument {
  /** Its external id, or null for one created without (by hand, by another integration). */
  externalId: string | null;
  /** The target's own name of its type (`Journal`, `CustInvc`, ...). */
  type: string;
}

/** What the target holds for an external id. */
export interface TargetDocument {
  /** The target's own id (NetSuite's internal id, a file's path and line, ...). */
  id: string;
}

/**
 * Reconciliation's pace for the reads it asks of a target: a connector awaits it before each request a
 * read sends (every page of a listing, every part of a look-up), so that reads stay within the share of
 * the target's rate that reconciliation takes, however many requests a read needs. Absent: no pacing
 * (the dispatcher's look-ups, which the outbox's limiter already paces).
 */
export type ReadPace = () => Promise<void>;

/** One target, ready to deliver: built from its definition with its secret resolved at use. */
export interface Connector {
  readonly target: TargetDefinition;
  /**
   * How long one delivery (every request it makes) may take before its outcome counts as unknown, when
   * the target's settings say (`timeoutMs`); the dispatcher's default otherwise.
   */
  readonly deliveryTimeoutMs?: number;
  /**
   * Sends the document and answers the target's id for it; throws DeliveryFailure. Delivering a body
   * whose external id the target already holds must not create a second document (upsert, or a
   * look-up first).
   */
  deliver(body: PostingBody, signal: AbortSignal, context?: DeliveryContext): Promise<TargetDocument>;
  /**
   * Whether `find` can tell what the target holds for a body; false where it cannot (a webhook keeps
   * nothing to ask, a meter counts usage without keeping events): reconciliation then reports that part
   * unverified. Absent: always.
   */
  readsBack?(body: PostingBody): boolean;
  /**
   * Reads many bodies back in one request (at most `findManyBatch` of them): external id -> what the
   * target holds under it, for those it holds. Reconciliation uses it where a target has it (NetSuite's
   * SuiteQL). Throws DeliveryFailure.
   */
  findMany?(bodies: readonly PostingBody[], signal: AbortSignal, pace?: ReadPace): Promise<Map<string, HeldDocument>>;
  readonly findManyBatch?: number;
  /**
   * Every document the target holds dated in [from, to] (YYYY-MM-DD), Meterbridge's or not: what
   * reconciliation looks through for documents nobody posted and duplicates. Throws DeliveryFailure.
   */
  listHeld?(range: { from: string; to: string }, signal: AbortSignal, pace?: ReadPace): Promise<ListedDocument[]>;
  /**
   * Reads the target back by external id: what it holds (its id, and its total and lines where the
   * answer has them), or undefined. Throws DeliveryFailure.
   */
  find(body: PostingBody, signal: AbortSignal, context?: ReadContext): Promise<HeldDocument | undefined>;
  /**
   * What a billing platform's meter counted for a customer over [from, to): the sum of the values of the
   * usage events it keeps, exact decimal text. For usage hand-offs, which cannot be read back one by one
   * (a meter keeps sums, not events); reconciliation compares it with the records handed over. `meter` is
   * Meterbridge's meter key. Throws DeliveryFailure.
   */
  summarizeUsage?(
    query: { customer: string; meter: string; from: Date; to: Date },
    signal: AbortSignal,
    pace?: ReadPace,
  ): Promise<string>;
}

/** What the outbox knows of a posting's history that a target with short-lived idempotency keys needs. */
export interface DeliveryContext {
  /** When the posting was queued: its first request was sent at or after it. */
  queuedAt: Date;
  /** When its first attempt began; undefined when this is the first (nothing was ever sent). */
  firstAttemptAt?: Date;
}

/** What a look-up by external id is told: the posting's history, and reconciliation's pace when it reads. */
export interface ReadContext extends DeliveryContext {
  pace?: ReadPace;
}

/** Resolves a secret by name at the moment of use; throws DeliveryFailure('auth') when it is missing. */
export type SecretResolver = (name: string) => Promise<string>;

/** A kind of target: how its settings are checked, which modes it takes, and how a connector is built. */
export interface ConnectorKind {
  kind: TargetKind;
  modes: readonly PostingMode[];
  /** JSON Schema of `settings` (Ajv, draft 2020-12), for the catalog's errors with paths. */
  settingsSchema: Record<string, unknown>;
  /** `clock`: the application's, for a kind whose requests carry time; the system clock otherwise. */
  create(target: TargetDefinition, secrets: SecretResolver, clock?: Clock): Connector;
}
