import type { Queryable } from '../../../platform/database/database.js';

/** Invoices of periods that ended in a window: finalized within the bound, late, or still drafts. */
export interface InvoicingAttainment {
  met: string;
  missed: string;
  /** Drafts whose bound has not passed yet. */
  pending: string;
  /** The quantile of hours from period end to finalization (a late draft counts as of `now`); null without any. */
  quantileSeconds: string | null;
}

/**
 * Billing completeness: of the invoices (not memos, not voided) whose period ended in [from, to), how many
 * were finalized within `hours` of the period's end. A draft past the bound has missed already.
 */
export async function invoicingAttainment(
  db: Queryable,
  window: { start: Date; end: Date },
  hours: number,
  share: string,
  now: Date,
): Promise<InvoicingAttainment> {
  const result = await db.query<{ met: string; missed: string; pending: string; q: string | null }>(
    `select count(*) filter (where finalized and delay <= $3 * 3600)::text as met,
            count(*) filter (where delay > $3 * 3600)::text as missed,
            count(*) filter (where not finalized and delay <= $3 * 3600)::text as pending,
            (percentile_disc($5::float8) within group (order by delay) filter (where finalized or delay > $3 * 3600))::text as q
       from (select status = 'finalized' as finalized,
                    extract(epoch from (coalesce(finalized_at, $4::timestamptz) - period_end))::numeric as delay
               from invoices
              where document = 'invoice' and status <> 'void' and period_end >= $1 and period_end < $2
                and period_end <= $4) as periods`,
    [window.start, window.end, hours, now, share],
  );
  const row = result.rows[0];
  return {
    met: row?.met ?? '0',
    missed: row?.missed ?? '0',
    pending: row?.pending ?? '0',
    quantileSeconds: row?.q ?? null,
  };
}
