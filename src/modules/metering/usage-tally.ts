import { Decimal } from 'decimal.js';
import type { Queryable } from '../../platform/database/database.js';
import type { Timestamp } from '../../platform/database/row-timestamp.js';

// Reconciliation's door onto usage records: what the product's events became, per legal entity,
// currency, customer and meter, and how much of it a finalized document bills. Computed in SQL on
// numeric, in one scan of the period's records; reconciliation never names this module's tables.

export interface UsageTallyScope {
  /** Usage whose event time is in [start, end). */
  start: Date;
  end: Date;
  legalEntity?: string;
}

export interface UsageTally {
  legalEntity: string;
  currency: string;
  customer: string;
  meter: string;
  records: number;
  /** Sum of the records' values (a count meter's records count 1 each), exact decimal text. */
  quantity: string;
  /** Records a finalized document bills (`invoice_id` set) and their quantity. */
  invoicedRecords: number;
  invoicedQuantity: string;
}

/** Records marked as billed by a document that has no line for their meter: usage no invoice line shows. */
export interface StrayRecords {
  invoiceId: string;
  meter: string;
  records: number;
  quantity: string;
}

/** Usage no document bills yet, per subscription and meter: reconciliation decides which is past its period's close. */
export interface UnbilledUsage {
  legalEntity: string;
  currency: string;
  customer: string;
  subscription: string;
  meter: string;
  records: number;
  quantity: string;
  oldest: string;
}

/** The period's usage three ways, from one scan. */
export interface UsageScan {
  tallies: UsageTally[];
  strays: StrayRecords[];
  unbilled: UnbilledUsage[];
}

interface UsageGroupRow {
  legal_entity: string;
  currency: string;
  customer_key: string;
  subscription_key: string;
  meter_key: string;
  invoice_id: string | null;
  records: string;
  quantity: string;
  oldest: Timestamp;
}

/**
 * One scan of the period's usage records, grouped by entity, currency, customer, subscription, meter and
 * the document that bills them (null: none yet), folded here into the tallies per customer and meter, the
 * billed records whose document has no line for their meter (`lineOf` answers `invoice \0 meter` pairs
 * that have one), and the unbilled usage per subscription and meter. A month of a million records
 * groups into a few rows per document, so the fold is cheap beside the scan it saves.
 */
export async function scanUsage(
  db: Queryable,
  scope: UsageTallyScope,
  lineOf: (invoiceIds: readonly string[]) => Promise<ReadonlySet<string>>,
): Promise<UsageScan> {
  const result = await db.query<UsageGroupRow>(
    `select legal_entity, currency, customer_key, subscription_key, meter_key, invoice_id,
            count(*)::text as records, sum(coalesce(value, 1))::text as quantity, min(event_time) as oldest
       from usage_records
      where event_time >= $1 and event_time < $2 and ($3::text is null or legal_entity = $3)
      group by legal_entity, currency, customer_key, subscription_key, meter_key, invoice_id`,
    [scope.start, scope.end, scope.legalEntity ?? null],
  );
  const tallies = new Map<string, { tally: UsageTally; quantity: Decimal; invoiced: Decimal }>();
  const billedByInvoiceMeter = new Map<string, StrayRecords & { sum: Decimal }>();
  const unbilled: UnbilledUsage[] = [];
  for (const row of result.rows) {
    const records = Number(row.records);
    const key = [row.legal_entity, row.currency, row.customer_key, row.meter_key].join('\u0000');
    const entry = tallies.get(key) ?? {
      tally: {
        legalEntity: row.legal_entity,
        currency: row.currency,
        customer: row.customer_key,
        meter: row.meter_key,
        records: 0,
        quantity: '0',
        invoicedRecords: 0,
        invoicedQuantity: '0',
      },
      quantity: new Decimal(0),
      invoiced: new Decimal(0),
    };
    entry.tally.records += records;
    entry.quantity = entry.quantity.plus(row.quantity);
    tallies.set(key, entry);
    if (row.invoice_id === null) {
      unbilled.push({
        legalEntity: row.legal_entity,
        currency: row.currency,
        customer: row.customer_key,
        subscription: row.subscription_key,
        meter: row.meter_key,
        records,
        quantity: row.quantity,
        oldest: new Date(row.oldest).toISOString(),
      });
      continue;
    }
    entry.tally.invoicedRecords += records;
    entry.invoiced = entry.invoiced.plus(row.quantity);
    const billedKey = `${row.invoice_id}\u0000${row.meter_key}`;
    const billed = billedByInvoiceMeter.get(billedKey) ?? {
      invoiceId: row.invoice_id,
      meter: row.meter_key,
      records: 0,
      quantity: '0',
      sum: new Decimal(0),
    };
    billed.records += records;
    billed.sum = billed.sum.plus(row.quantity);
    billedByInvoiceMeter.set(billedKey, billed);
  }
  const lined = await lineOf([...new Set([...billedByInvoiceMeter.values()].map((billed) => billed.invoiceId))]);
  const byPlace = (a: { legalEntity: string; currency: string; customer: string; meter: string }, b: typeof a) =>
    a.legalEntity.localeCompare(b.legalEntity) ||
    a.currency.localeCompare(b.currency) ||
    a.customer.localeCompare(b.customer) ||
    a.meter.localeCompare(b.meter);
  return {
    tallies: [...tallies.values()]
      .map(({ tally, quantity, invoiced }) => ({
        ...tally,
        quantity: quantity.toFixed(),
        invoicedQuantity: invoiced.toFixed(),
      }))
      .sort(byPlace),
    strays: [...billedByInvoiceMeter]
      .filter(([key]) => !lined.has(key))
      .map(([, { sum, ...stray }]) => ({ ...stray, quantity: sum.toFixed() })),
    unbilled: unbilled.sort((a, b) => byPlace(a, b) || a.subscription.localeCompare(b.subscription)),
  };
}
