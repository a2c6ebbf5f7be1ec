import type { Queryable } from '../../../platform/database/database.js';
import { ConflictError, type FieldError } from '../../../platform/errors.js';
import { FEE_LINE, finalizedFeeBilled } from './advance-fees.js';
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
  const invoice = (
    await tx.query<{
      subscription_key: string;
      currency: string;
      period_start: Date | string;
      period_end: Date | string;
      advance_fees: Record<string, string>;
    }>(`select subscription_key, currency, period_start, period_end, advance_fees from invoices where id = $1`, [
      invoiceId,
    ])
  ).rows[0];
  if (!invoice) return;
  const lines = await tx.query<{
    line_no: number;
    charge_key: string;
    period_start: Date | string;
    period_end: Date | string;
    amount: string;
    assumed: string | null;
  }>(
    `select l.line_no, l.charge_key, l.period_start, l.period_end, l.amount::text as amount,
            (select -(b.item->>'amount')::numeric from jsonb_array_elements(l.breakdown) as b(item) where b.item->>'kind' = 'already_billed' limit 1)::text as assumed
       from invoice_lines l where l.invoice_id = $1 and ${FEE_LINE} order by l.line_no`,
    [invoiceId],
  );
  const expected = Object.entries(invoice.advance_fees);
  if (lines.rows.length === 0 && expected.length === 0) return;
  await tx.query(
    `select pg_advisory_xact_lock(hashtextextended('advance-fees:' || current_schema() || ':' || $1, 0))`,
    [invoice.subscription_key],
  );
  const problems: FieldError[] = [];
  const money = (amount: Exact) => toMoney(amount, invoice.currency);
  const range = (start: Date | string, end: Date | string) => ({ start: new Date(start), end: new Date(end) });
  for (const line of lines.rows) {
    const billed = await finalizedFeeBilled(
      tx,
      invoice.subscription_key,
      invoiceId,
      line.charge_key,
      range(line.period_start, line.period_end),
    );
    const assumed = new Exact(line.assumed ?? '0');
    if (!billed.equals(assumed)) {
      problems.push({
        path: `line ${line.line_no}`,
        message: `bills the ${line.charge_key} fee of ${day(line.period_start)} to ${day(line.period_end)} as if ${money(assumed)} were billed for it, but finalized documents now bill ${money(billed)}`,
      });
    }
  }
  const period = range(invoice.period_start, invoice.period_end);
  for (const [chargeKey, fee] of expected) {
    const billed = await finalizedFeeBilled(tx, invoice.subscription_key, invoiceId, chargeKey, period);
    const own = lines.rows
      .filter(
        (line) =>
          line.charge_key === chargeKey &&
          new Date(line.period_start) < period.end &&
          new Date(line.period_end) > period.start,
      )
      .reduce((sum, line) => sum.plus(line.amount), new Exact(0));
    if (billed.plus(own).equals(fee)) continue;
    const drafts = await tx.query<{ id: string }>(
      `select distinct i.id from invoice_lines l join invoices i on i.id = l.invoice_id
        where i.subscription_key = $1 and i.id <> $2 and i.status = 'draft' and ${FEE_LINE} and l.charge_key = $3 and l.period_start < $5 and l.period_end > $4
        order by i.id`,
      [invoice.subscription_key, invoiceId, chargeKey, period.start, period.end],
    );
    const hint =
      drafts.rows.length > 0
        ? `; draft ${drafts.rows.map((row) => row.id).join(', ')} bills it: finalize that first`
        : '';
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
