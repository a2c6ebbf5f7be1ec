import { Decimal } from 'decimal.js';
import type { Queryable } from '../../../platform/database/database.js';
import { type Customer, type Plan, type PrepaidCredit, type Subscription } from '../../catalog/index.js';
import { Exact, toMoney } from '../../../platform/money.js';
import { minorUnitDigits } from '../../../platform/iso-4217.js';
import type { LineContent, Period } from '../billing.js';
import { findDocumentCreditUses } from './credit-repository.js';

// A credit's balance is its amount less the `credit` lines of documents that are not void, and a commit is
// invoiced by exactly one `commitment` line: the invoices are the ledger. A billing run loads what every
// other document drew, so redrafting a document replaces its own draw and never counts it twice.

/**
 * Which document a draw belongs to, stable across redrafts: an invoice by its period (one non-void invoice
 * per subscription period), a draft memo by the invoice it corrects, anything else by its id.
 */
export type DocumentKey = string;

export const invoiceDocument = (periodStart: string): DocumentKey => `invoice:${periodStart}`;
export const memoDocument = (correctsInvoiceId: string): DocumentKey => `memo:${correctsInvoiceId}`;

interface CreditUse {
  /** Amount drawn by each document (positive). */
  draws: Map<DocumentKey, Exact>;
  /** The document whose `commitment` line invoices the commit, if any has. */
  committedOn?: DocumentKey;
}

/** What documents drew from each credit of the run's subscriptions; `draw` records a redrafted document's new draw. */
export class CreditLedger {
  private readonly uses = new Map<string, CreditUse>();

  use(subscriptionKey: string, creditKey: string): CreditUse {
    const key = `${subscriptionKey}\n${creditKey}`;
    let use = this.uses.get(key);
    if (!use) {
      use = { draws: new Map() };
      this.uses.set(key, use);
    }
    return use;
  }

  /** The credit's amount less what every other document drew. */
  available(subscriptionKey: string, credit: PrepaidCredit, document: DocumentKey): Exact {
    let drawn = new Exact(0);
    for (const [other, amount] of this.use(subscriptionKey, credit.key).draws)
      if (other !== document) drawn = drawn.plus(amount);
    return Decimal.max(new Exact(credit.amount).minus(drawn), 0);
  }
}

/** Loads the draws and commitments of every non-void document of the subscriptions. */
export async function loadCreditLedger(db: Queryable, subscriptionKeys: readonly string[]): Promise<CreditLedger> {
  const ledger = new CreditLedger();
  for (const found of await findDocumentCreditUses(db, subscriptionKeys)) {
    const document =
      found.document === 'invoice'
        ? invoiceDocument(found.periodStart.toISOString())
        : found.status === 'draft' && found.correctsInvoiceId
          ? memoDocument(found.correctsInvoiceId)
          : `id:${found.invoiceId}`;
    const use = ledger.use(found.subscriptionKey, found.creditKey);
    if (found.kind === 'commitment') use.committedOn = document;
    else use.draws.set(document, new Exact(found.amount).negated());
  }
  return ledger;
}

/**
 * A commit is invoiced by the first document drafted for a period ending after it takes effect (no
 * earlier than the subscription's start): normally the period it starts in, or the next one drafted when
 * that period was finalized before the commit was added to the catalog.
 */
function committable(subscription: Subscription, credit: PrepaidCredit, covered: Period): boolean {
  const from = Math.max(Date.parse(credit.effectiveFrom ?? subscription.start), Date.parse(subscription.start));
  return from < covered.end.getTime();
}

/** A credit pays for a document whose covered part overlaps [effectiveFrom, expiresAt). */
function covers(subscription: Subscription, credit: PrepaidCredit, covered: Period): boolean {
  const from = Date.parse(credit.effectiveFrom ?? subscription.start);
  const until = credit.expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(credit.expiresAt);
  return from < covered.end.getTime() && covered.start.getTime() < until;
}

/** Lower priority first, then the one expiring first (never-expiring last), then by key. */
function drawOrder(a: PrepaidCredit, b: PrepaidCredit): number {
  const expiry = (credit: PrepaidCredit) =>
    credit.expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(credit.expiresAt);
  return (a.priority ?? 0) - (b.priority ?? 0) || expiry(a) - expiry(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

const PAYABLE_KINDS: ReadonlySet<string> = new Set(['usage', 'adjustment', 'flat_fee']);

/**
 * What each line still costs once the contract discount is taken off (the discount line covers usage,
 * flat fees and adjustments alike); lines no credit pays are left out.
 */
function payableLines(
  subscription: Subscription,
  contents: readonly LineContent[],
): { chargeKey: string; unpaid: Exact }[] {
  const discounted = contents.some((line) => line.kind === 'discount');
  const keep = new Exact(100).minus(discounted ? (subscription.overrides?.discountPercent ?? '0') : '0').dividedBy(100);
  return contents
    .filter(
      (line): line is LineContent & { chargeKey: string } => PAYABLE_KINDS.has(line.kind) && line.chargeKey !== null,
    )
    .map((line) => ({ chargeKey: line.chargeKey, unpaid: new Exact(line.amount).times(keep) }));
}

/**
 * Takes a draw off the lines it paid: negative lines (late usage that lowered an earlier period) are
 * netted first, then positive lines in order, so what is left always sums to the base less the draw.
 */
function settle(lines: readonly { unpaid: Exact }[], draw: Exact): void {
  let toSettle = draw;
  for (const line of lines) {
    if (line.unpaid.isNegative()) {
      toSettle = toSettle.plus(line.unpaid.abs());
      line.unpaid = new Exact(0);
    }
  }
  for (const line of lines) {
    const paid = Decimal.min(line.unpaid, toSettle);
    if (paid.lessThanOrEqualTo(0)) continue;
    line.unpaid = line.unpaid.minus(paid);
    toSettle = toSettle.minus(paid);
  }
}

export interface PrepaidInput {
  ledger: CreditLedger;
  document: DocumentKey;
  plan: Plan;
  subscription: Subscription;
  customer: Customer;
  covered: Period;
  /** The document's lines so far (usage, flat fees, discount, adjustments). */
  contents: readonly LineContent[];
}

/**
 * The document's prepaid lines: the commitment of each commit not yet invoiced that has taken effect by
 * the period's end (once per commit), then a negative `credit` line per credit that covers the period, drawing in order what its
 * charges cost — never more than is left, never below zero, rounded down to the minor unit so a credit
 * never pays more than the lines did. Records the draws in the ledger for the documents after it.
 */
export function prepaidLines(input: PrepaidInput): LineContent[] {
  const { ledger, document, subscription, customer, covered } = input;
  const currency = customer.currency;
  const credits = [...(subscription.credits ?? [])].sort(drawOrder);
  const lines: LineContent[] = [];
  const line = (
    credit: PrepaidCredit,
    kind: 'commitment' | 'credit',
    description: string,
    amount: string,
  ): LineContent => ({
    kind,
    chargeKey: null,
    meterKey: null,
    creditKey: credit.key,
    description,
    periodStart: covered.start.toISOString(),
    periodEnd: covered.end.toISOString(),
    quantity: null,
    unitPrice: null,
    amount,
    breakdown: [],
    groups: [],
  });
  const label = (credit: PrepaidCredit) =>
    `${credit.kind === 'commit' ? 'Prepaid commit' : 'Credit'} ${credit.name ?? credit.key}`;
  for (const credit of credits) {
    const use = ledger.use(subscription.key, credit.key);
    if (
      credit.kind === 'commit' &&
      committable(subscription, credit, covered) &&
      (use.committedOn === undefined || use.committedOn === document)
    ) {
      use.committedOn = document;
      lines.push(
        line(
          credit,
          'commitment',
          `${label(credit)}: ${toMoney(new Exact(credit.amount), currency)} ${currency} paid in advance`,
          toMoney(new Exact(credit.amount), currency),
        ),
      );
    }
  }
  const usageCharges = new Set(
    input.plan.charges.filter((charge) => charge.model !== 'flat').map((charge) => charge.key),
  );
  const payable = payableLines(subscription, input.contents);
  const digits = minorUnitDigits(currency) ?? 2;
  for (const credit of credits) {
    if (!covers(subscription, credit, covered)) continue;
    const charges = credit.charges ? new Set(credit.charges) : usageCharges;
    const paid = payable.filter((entry) => charges.has(entry.chargeKey));
    const base = paid.reduce((sum, entry) => sum.plus(entry.unpaid), new Exact(0));
    const available = ledger.available(subscription.key, credit, document);
    const draw = Decimal.max(Decimal.min(base, available), 0).toDecimalPlaces(digits, Decimal.ROUND_DOWN);
    ledger.use(subscription.key, credit.key).draws.set(document, draw);
    if (draw.isZero()) continue;
    settle(paid, draw);
    const left = toMoney(available.minus(draw), currency);
    lines.push(
      line(
        credit,
        'credit',
        `${label(credit)}: ${toMoney(draw, currency)} applied, ${left} of ${toMoney(new Exact(credit.amount), currency)} ${currency} left`,
        toMoney(draw.negated(), currency),
      ),
    );
  }
  return lines;
}
