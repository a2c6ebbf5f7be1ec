import type { Queryable } from '../../../platform/database/database.js';
import { ConflictError, type FieldError } from '../../../platform/errors.js';
import {
  finalizedFeeBilled,
  findAdvanceFeeTerms,
  findAssumedFeeLines,
  findFeeDrafts,
  lockAdvanceFees,
} from './fee-repository.js';
import { isoDay as day } from '../invoicing/periods.js';
import { Exact, toMoney } from '../../../platform/money.js';

/**
 * Refuses to finalize a document whose in-advance fees would not add up: a fee line that assumed another
 * amount already billed for its period than finalized documents now bill (both the previous invoice and
 * this one billed the period while drafts), or a period whose fee, billed ahead on another document,
 * no longer comes to what this invoice expects (that document is still a draft, or was finalized as
 * drafted before the subscription changed). A billing run of the period redrafts it against what is
 * billed now. Serialized per subscription, so two finalizations never both pass on the same reading.
 */
export async function assertAdvanceFeesCurrent(tx: Queryable, invoiceId: string): Promise<void> {
  const invoice = await findAdvanceFeeTerms(tx, invoiceId);
  if (!invoice) return;
  const lines = await findAssumedFeeLines(tx, invoiceId);
  const expected = Object.entries(invoice.advanceFees);
  if (lines.length === 0 && expected.length === 0) return;
  await lockAdvanceFees(tx, invoice.subscriptionKey);
  const problems: FieldError[] = [];
  const money = (amount: Exact) => toMoney(amount, invoice.currency);
  for (const line of lines) {
    const billed = await finalizedFeeBilled(tx, invoice.subscriptionKey, invoiceId, line.chargeKey, line.period);
    const assumed = new Exact(line.assumed ?? '0');
    if (!billed.equals(assumed)) {
      problems.push({
        path: `line ${line.lineNo}`,
        message: `bills the ${line.chargeKey} fee of ${day(line.period.start)} to ${day(line.period.end)} as if ${money(assumed)} were billed for it, but finalized documents now bill ${money(billed)}`,
      });
    }
  }
  const { period } = invoice;
  for (const [chargeKey, fee] of expected) {
    const billed = await finalizedFeeBilled(tx, invoice.subscriptionKey, invoiceId, chargeKey, period);
    const own = lines
      .filter(
        (line) => line.chargeKey === chargeKey && line.period.start < period.end && line.period.end > period.start,
      )
      .reduce((sum, line) => sum.plus(line.amount), new Exact(0));
    if (billed.plus(own).equals(fee)) continue;
    const drafts = await findFeeDrafts(tx, invoice.subscriptionKey, invoiceId, chargeKey, period);
    const hint = drafts.length > 0 ? `; draft ${drafts.join(', ')} bills it: finalize that first` : '';
    problems.push({
      path: `advance fee ${chargeKey}`,
      message: `this period's fee is ${fee}, but finalized documents bill ${money(billed)} for it and this invoice ${money(own)}${hint}`,
    });
  }
  if (problems.length > 0) {
    throw new ConflictError(
      `invoice ${invoiceId} was drafted before its in-advance fees were billed as they are now; run billing for its period again, then finalize`,
      problems,
    );
  }
}
