import type { Queryable } from '../../../platform/database/database.js';

/** A usage record as billing finds the lines that bill it: where it was used, and by which document if any. */
export interface BilledUsage {
  subscriptionKey: string;
  meterKey: string;
  time: Date;
  /** The document that marked the record; null while none has (a draft may still show it). */
  invoiceId: string | null;
}

/** An invoice line, named. */
export interface LineKey {
  invoiceId: string;
  lineNo: number;
}

/**
 * The usage and adjustment lines that bill a usage record, by the rule `line-lineage.ts` reads a line's
 * events with: a line of the record's meter whose window holds its time, on the document that marked it,
 * or (a record no document marked yet) on a draft of its subscription. Several lines when several charges
 * read the meter; none when no document bills it yet.
 */
export async function findLinesBillingUsage(db: Queryable, usage: BilledUsage): Promise<LineKey[]> {
  // Two statements rather than one with a condition on the parameter, so each can use its own index.
  const documents =
    usage.invoiceId === null
      ? { where: `i.subscription_key = $3 and i.status = 'draft'`, value: usage.subscriptionKey }
      : { where: 'i.id = $3', value: usage.invoiceId };
  const result = await db.query<{ invoice_id: string; line_no: number | string }>(
    `select l.invoice_id, l.line_no from invoice_lines l join invoices i on i.id = l.invoice_id
      where l.meter_key = $1 and l.kind in ('usage', 'adjustment') and l.period_start <= $2 and l.period_end > $2
        and ${documents.where}
      order by i.id, l.line_no`,
    [usage.meterKey, usage.time, documents.value],
  );
  return result.rows.map((row) => ({ invoiceId: row.invoice_id, lineNo: Number(row.line_no) }));
}
