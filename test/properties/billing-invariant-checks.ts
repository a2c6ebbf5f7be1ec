import type { App } from '../../src/main.js';
import { rateCharge } from '../../src/modules/rating/index.js';
import type { Database } from '../../src/platform/database/database.js';
import { Exact } from '../../src/platform/money.js';

interface WindowLine {
  invoice_id: string;
  status: string;
  kind: string;
  charge_key: string;
  meter_key: string;
  period_start: Date;
  period_end: Date;
  quantity: string;
  amount: string;
  catalog_version: number;
  finalized_at: Date | null;
  line_no: number;
}

/**
 * Every way the billed money of a settled store breaks the invariants, as readable sentences (none: []):
 * - every usage record is on a finalized invoice (billed once; none left unbilled, none on a draft or void);
 * - the records a document marks in a meter window make up exactly its lines' quantity there;
 * - per window and charge, the finalized lines add up to what the whole window's usage costs at the price
 *   of the last document that billed it (nothing lost, nothing billed twice, cumulative to the cent);
 * - each usage line equals the quote of its quantity (the price preview's rating);
 * - totals equal their lines; numbers are gapless per legal entity.
 */
export async function billingInvariantViolations(db: Database, app: App): Promise<string[]> {
  const violations: string[] = [];
  const unbilled = await db.query<{ event_seq: string; meter_key: string; status: string | null }>(
    `select u.event_seq::text, u.meter_key, i.status from usage_records u left join invoices i on i.id = u.invoice_id
      where u.invoice_id is null or i.status <> 'finalized'`,
  );
  for (const row of unbilled.rows)
    violations.push(
      `usage record ${row.event_seq}/${row.meter_key} is ${row.status ? `on a ${row.status} invoice` : 'billed by no invoice'}`,
    );

  const marks = await db.query<{
    invoice_id: string;
    meter_key: string;
    period_start: Date;
    lines: string;
    marked: string;
  }>(
    `select l.invoice_id, l.meter_key, l.period_start, sum(l.quantity)::text as lines,
            (select case when l.meter_key = 'calls' then count(*) else coalesce(sum(u.value), 0) end from usage_records u
              where u.invoice_id = l.invoice_id and u.meter_key = l.meter_key and u.event_time >= l.period_start and u.event_time < l.period_end)::text as marked
       from invoice_lines l join invoices i on i.id = l.invoice_id
      where i.status = 'finalized' and l.kind in ('usage', 'adjustment')
      group by l.invoice_id, l.meter_key, l.period_start, l.period_end`,
  );
  for (const row of marks.rows) {
    if (!new Exact(row.lines).equals(row.marked))
      violations.push(
        `invoice ${row.invoice_id} bills ${row.lines} ${row.meter_key} from ${new Date(row.period_start).toISOString()} but marks records of ${row.marked}`,
      );
  }

  const lines = await db.query<WindowLine>(
    `select l.invoice_id, i.status, l.kind, l.charge_key, l.meter_key, l.period_start, l.period_end, l.quantity::text, l.amount::text,
            i.catalog_version, i.finalized_at, l.line_no
       from invoice_lines l join invoices i on i.id = l.invoice_id
      where i.status = 'finalized' and l.kind in ('usage', 'adjustment') order by i.finalized_at, l.line_no`,
  );
  const windows = new Map<string, WindowLine[]>();
  for (const line of lines.rows) {
    const key = `${line.charge_key} ${new Date(line.period_start).toISOString()} ${new Date(line.period_end).toISOString()}`;
    windows.set(key, [...(windows.get(key) ?? []), line]);
  }
  const charge = async (version: number, key: string) => {
    const found = (await app.catalog.get(version)).catalog.plans[0]?.charges.find((candidate) => candidate.key === key);
    if (!found) throw new Error(`catalog version ${version} has no charge ${key}`);
    return found;
  };
  for (const [key, billed] of windows) {
    const first = billed[0] as WindowLine;
    const last = billed.at(-1) as WindowLine;
    const usage = await db.query<{ quantity: string }>(
      `select (case when $1 = 'calls' then count(*) else coalesce(sum(value), 0) end)::text as quantity from usage_records
        where meter_key = $1 and event_time >= $2 and event_time < $3`,
      [first.meter_key, first.period_start, first.period_end],
    );
    const quantity = usage.rows[0]?.quantity ?? '0';
    const billedQuantity = billed.reduce((sum, line) => sum.plus(line.quantity), new Exact(0));
    const billedAmount = billed.reduce((sum, line) => sum.plus(line.amount), new Exact(0));
    const costs = rateCharge(await charge(last.catalog_version, first.charge_key), 'USD', { quantity }).amount;
    if (!billedQuantity.equals(quantity))
      violations.push(`${key}: lines bill ${billedQuantity.toFixed()} of ${quantity} metered`);
    if (!billedAmount.equals(costs))
      violations.push(
        `${key}: lines bill ${billedAmount.toFixed(2)}, the window's usage costs ${costs} (version ${last.catalog_version})`,
      );
    for (const line of billed.filter((candidate) => candidate.kind === 'usage')) {
      const quote = rateCharge(await charge(line.catalog_version, line.charge_key), 'USD', {
        quantity: line.quantity,
      }).amount;
      if (quote !== line.amount)
        violations.push(`invoice ${line.invoice_id} line ${line.line_no}: ${line.amount}, quoted ${quote}`);
    }
  }

  const totals = await db.query<{ id: string; total: string; subtotal: string; lines: string; untaxed: string }>(
    `select i.id, i.total::text, i.subtotal::text, coalesce(sum(l.amount), 0)::text as lines, coalesce(sum(l.amount) filter (where l.kind <> 'tax'), 0)::text as untaxed
       from invoices i left join invoice_lines l on l.invoice_id = i.id group by i.id`,
  );
  for (const row of totals.rows) {
    if (!new Exact(row.total).equals(row.lines) || !new Exact(row.subtotal).equals(row.untaxed))
      violations.push(
        `invoice ${row.id}: total ${row.total} (subtotal ${row.subtotal}), lines ${row.lines} (${row.untaxed} before tax)`,
      );
  }
  const numbers = await db.query<{ number: string }>(
    `select number from invoices where number is not null order by number`,
  );
  numbers.rows.forEach((row, index) => {
    if (row.number !== `US-${String(index + 1).padStart(6, '0')}`)
      violations.push(`number ${index + 1} is ${row.number}`);
  });
  return violations;
}
