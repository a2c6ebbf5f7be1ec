import type { Queryable } from '../../../platform/database/database.js';
import type { Subscription } from '../../catalog/index.js';
import { FEE_LINE } from './advance-fees.js';
import type { CatalogLookup } from '../invoicing/catalog-lookup.js';
import { isoDay as day } from '../invoicing/periods.js';
import { Exact, toMoney } from '../../../platform/money.js';
import type { LineContent, PlannedMemo } from '../billing.js';

interface OrphanRow {
  subscription_key: string;
  invoice_id: string;
  number: string | null;
  document: string;
  period_start: Date | string;
  period_end: Date | string;
  covered_start: Date | string;
  covered_end: Date | string;
  charge_key: string;
  fee_start: Date | string;
  fee_end: Date | string;
  amount: string;
}

/**
 * Fee periods a subscription no longer reaches: billed ahead on a finalized invoice, then the
 * subscription's end moved back to the period's start or before it (a cancellation entered late), so no
 * invoice of the subscription will ever bill that period and true it up. Each becomes a memo line
 * giving back what finalized documents billed for the period, correcting the invoice that billed it;
 * once that memo is finalized the period nets to zero and nothing more is drafted.
 */
export async function orphanedFeeMemos(
  db: Queryable,
  lookup: CatalogLookup,
  subscriptions: readonly Subscription[],
): Promise<PlannedMemo[]> {
  const ended = subscriptions.filter((subscription) => subscription.end !== undefined);
  if (ended.length === 0) return [];
  const result = await db.query<OrphanRow>(
    `select i.subscription_key, coalesce(i.corrects_invoice_id, i.id) as invoice_id, c.number, i.document,
            c.period_start, c.period_end, c.covered_start, c.covered_end,
            l.charge_key, l.period_start as fee_start, l.period_end as fee_end, l.amount::text as amount
       from invoice_lines l
       join invoices i on i.id = l.invoice_id
       join invoices c on c.id = coalesce(i.corrects_invoice_id, i.id)
       join unnest($1::text[], $2::timestamptz[]) as e(subscription_key, ends_at) on e.subscription_key = i.subscription_key
      where i.status = 'finalized' and ${FEE_LINE} and l.period_start >= e.ends_at
      order by i.subscription_key, l.charge_key, l.period_start, i.finalized_at`,
    [ended.map((subscription) => subscription.key), ended.map((subscription) => subscription.end)],
  );
  // Fee periods never overlap, so a period's lines (the fee billed ahead and any correction) share its start.
  const periods = new Map<string, OrphanRow[]>();
  for (const row of result.rows) {
    const key = `${row.subscription_key}\n${row.charge_key}\n${new Date(row.fee_start).toISOString()}`;
    periods.set(key, [...(periods.get(key) ?? []), row]);
  }
  const memos = new Map<string, PlannedMemo>();
  for (const rows of periods.values()) {
    const billed = rows.reduce((sum, row) => sum.plus(row.amount), new Exact(0));
    const carrier = rows.find((row) => row.document === 'invoice') ?? (rows[0] as OrphanRow);
    const subscription = lookup.subscription(carrier.subscription_key);
    const customer = lookup.customer(subscription?.customer);
    if (billed.isZero() || !subscription || !customer) continue;
    const start = new Date(carrier.fee_start);
    const end = new Date(carrier.fee_end);
    const number = carrier.number ?? carrier.invoice_id;
    const line: LineContent = {
      kind: 'adjustment',
      chargeKey: carrier.charge_key,
      meterKey: null,
      description: `${carrier.charge_key}: ${day(start)} to ${day(end)}, billed in advance on ${number}; the subscription ended ${day(new Date(subscription.end as string))}`,
      periodStart: start.toISOString(),
      periodEnd: end.toISOString(),
      quantity: null,
      unitPrice: null,
      amount: toMoney(billed.negated(), customer.currency),
      breakdown: [
        {
          kind: 'already_billed',
          description: `billed in advance on ${number}`,
          amount: toMoney(billed.negated(), customer.currency),
        },
      ],
      groups: [],
      adjustsInvoiceId: carrier.invoice_id,
    };
    const memo = memos.get(carrier.invoice_id) ?? {
      subscription,
      invoiceId: carrier.invoice_id,
      number,
      period: { start: new Date(carrier.period_start), end: new Date(carrier.period_end) },
      covered: { start: new Date(carrier.covered_start), end: new Date(carrier.covered_end) },
      lines: [],
    };
    memo.lines.push(line);
    memos.set(carrier.invoice_id, memo);
  }
  return [...memos.values()];
}

/** Memos by corrected invoice, with the orphaned-fee lines added to a late-usage memo of the same invoice. */
export function mergeMemos(memos: readonly PlannedMemo[], more: readonly PlannedMemo[]): PlannedMemo[] {
  const byInvoice = new Map(memos.map((memo) => [memo.invoiceId, { ...memo, lines: [...memo.lines] }]));
  for (const memo of more) {
    const existing = byInvoice.get(memo.invoiceId);
    if (existing) existing.lines.push(...memo.lines);
    else byInvoice.set(memo.invoiceId, memo);
  }
  return [...byInvoice.values()];
}
