import type { Queryable } from '../../../platform/database/database.js';
import { Exact } from '../../../platform/money.js';
import type { InvoiceStatus, LineContent, Period, FeeBilled, FeeBilledLookup } from '../billing.js';
import { findFeeLines } from './fee-repository.js';

// In-advance flat fees are billed one period ahead (and the first period on its own invoice). What a
// period's fee comes to can change after it was billed — the subscription ends or changes plan inside
// it — so every line billing a fee period is cumulative: the fee as the catalog now has it, less what
// finalized documents already billed for that period. Fee lines are flat-fee lines and fee adjustments:
// lines with a charge and no meter.

/** A line of a non-void document that bills (part of) a fee period. */
interface FeeLine {
  subscriptionKey: string;
  /** The billed invoice period of the document: a document's own lines are left out when it is redrafted. */
  documentPeriodStart: number;
  invoiceId: string;
  number: string | null;
  status: InvoiceStatus;
  chargeKey: string;
  start: number;
  end: number;
  amount: string;
}

export interface FeeLedger {
  /** The lookup for the invoice of a subscription's period starting at `periodStart` (its own lines left out). */
  forInvoice(subscriptionKey: string, periodStart: Date): FeeBilledLookup;
  /** Adds the fee lines of a draft the run has just drafted (not yet written), so later documents see them. */
  noteDraft(subscriptionKey: string, periodStart: Date, contents: readonly LineContent[]): void;
}

const isFeeLine = (line: LineContent): line is LineContent & { chargeKey: string } =>
  (line.kind === 'flat_fee' || line.kind === 'adjustment') && line.meterKey === null && line.chargeKey !== null;

/** Fee lines of non-void documents of the subscriptions that overlap [from, ∞). */
export async function loadFeeLedger(
  db: Queryable,
  subscriptionKeys: readonly string[],
  from: Date,
): Promise<FeeLedger> {
  const bySubscription = new Map<string, FeeLine[]>();
  const add = (line: FeeLine) => {
    const lines = bySubscription.get(line.subscriptionKey);
    if (lines) lines.push(line);
    else bySubscription.set(line.subscriptionKey, [line]);
  };
  for (const line of await findFeeLines(db, subscriptionKeys, from)) {
    add({
      subscriptionKey: line.subscriptionKey,
      // A memo never bills a fee period; its lines would not be its own invoice's.
      documentPeriodStart: line.document === 'invoice' ? line.documentPeriodStart.getTime() : Number.NaN,
      invoiceId: line.invoiceId,
      number: line.number,
      status: line.status,
      chargeKey: line.chargeKey,
      start: line.start.getTime(),
      end: line.end.getTime(),
      amount: line.amount,
    });
  }
  return {
    noteDraft: (subscriptionKey, periodStart, contents) => {
      for (const line of contents.filter(isFeeLine)) {
        add({
          subscriptionKey,
          documentPeriodStart: periodStart.getTime(),
          invoiceId: '',
          number: null,
          status: 'draft',
          chargeKey: line.chargeKey,
          start: new Date(line.periodStart).getTime(),
          end: new Date(line.periodEnd).getTime(),
          amount: line.amount,
        });
      }
    },
    forInvoice: (subscriptionKey, periodStart) => {
      const lines = (bySubscription.get(subscriptionKey) ?? []).filter(
        (line) => line.documentPeriodStart !== periodStart.getTime(),
      );
      return (chargeKey, period) =>
        summarize(lines.filter((line) => line.chargeKey === chargeKey && overlaps(line, period)));
    },
  };
}

/** Fee periods never overlap one another, so a line overlapping a period bills that period's fee. */
const overlaps = (line: { start: number; end: number }, period: Period) =>
  line.start < period.end.getTime() && line.end > period.start.getTime();

function summarize(lines: readonly FeeLine[]): FeeBilled {
  const finalized = lines.filter((line) => line.status === 'finalized');
  return {
    drafted: lines.some((line) => line.status === 'draft'),
    finalized:
      finalized.length === 0
        ? undefined
        : {
            amount: finalized.reduce((sum, line) => sum.plus(line.amount), new Exact(0)).toFixed(),
            invoiceIds: [...new Set(finalized.map((line) => line.invoiceId))],
            numbers: [...new Set(finalized.map((line) => line.number ?? line.invoiceId))],
          },
  };
}
