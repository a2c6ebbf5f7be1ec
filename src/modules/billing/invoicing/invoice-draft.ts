import {
  type Catalog,
  type Charge,
  type Customer,
  type Meter,
  type Subscription,
  chargeSettings,
  contractCharge,
} from '../../catalog/index.js';
import { rateCharge } from '../../rating/index.js';
import { advanceFeeLine, flatFeeLine } from '../fees/flat-fee-lines.js';
import { coveredShare } from './periods.js';
import { quantityOf, type MeterAggregate } from '../../metering/index.js';
import { Exact, toMoney } from '../../../platform/money.js';
import type { FeeBilledLookup, Period, DraftHeader, InvoiceDraft, LineContent } from '../billing.js';

/** What a billing run knows about one subscription period when it drafts the invoice. */
export interface DraftInput {
  catalog: Catalog;
  catalogVersion: number;
  subscription: Subscription;
  customer: Customer;
  period: Period;
  covered: Period;
  /** The next period, when the subscription is active in it (in-advance fees bill it now). */
  next: { period: Period; covered: Period } | undefined;
  /** The subscription's first period: its in-advance fees were never billed before. */
  first: boolean;
  /** Aggregates of this window, by meter key: the total and each group-by value. */
  aggregates: ReadonlyMap<string, MeterAggregate[]>;
  /** Per-event values of percentage charges' meters, by meter key. */
  eventValues: ReadonlyMap<string, string[]>;
  /** Late usage of earlier, finalized periods rolled forward onto this invoice. */
  adjustments: readonly LineContent[];
  /** What other documents billed for in-advance fee periods (see advance-fees.ts). */
  feeBilled: FeeBilledLookup;
}

function usageLine(input: DraftInput, charge: Charge, meter: Meter): LineContent | undefined {
  const aggregates = input.aggregates.get(meter.key) ?? [];
  const total = aggregates.find((aggregate) => aggregate.dimensions === null);
  const quantity = quantityOf(total, meter.aggregation);
  const values = charge.model === 'percentage' ? (input.eventValues.get(meter.key) ?? []) : undefined;
  const rated = rateCharge(charge, input.customer.currency, {
    quantity,
    eventValues: values,
    proration: coveredShare(input.period, input.covered),
  });
  if (new Exact(quantity).isZero() && new Exact(rated.exactAmount).isZero()) return undefined;
  const unitPrice =
    rated.lines.length === 1 && rated.lines[0]?.kind === 'units' ? (rated.lines[0].unitPrice ?? null) : null;
  return {
    kind: 'usage',
    chargeKey: charge.key,
    meterKey: meter.key,
    description: `${charge.name ?? charge.key}: ${quantity} ${meter.unit}${rated.quantityRounding ? `, priced as ${rated.ratedQuantity} (${rated.quantityRounding})` : ''}`,
    periodStart: input.covered.start.toISOString(),
    periodEnd: input.covered.end.toISOString(),
    quantity,
    unitPrice,
    amount: rated.amount,
    breakdown: rated.lines,
    groups: aggregates
      .filter((aggregate) => aggregate.dimensions !== null && Object.keys(aggregate.dimensions).length > 0)
      .map((aggregate) => ({
        dimensions: aggregate.dimensions as Record<string, unknown>,
        quantity: quantityOf(aggregate, meter.aggregation),
      })),
  };
}

/**
 * The contract's discount as a negative line after the lines it reduces (the period's usage and flat
 * fees, and late-usage adjustments), rounded once; the lines unchanged when there is no discount.
 */
export function withDiscount(
  contents: readonly LineContent[],
  subscription: Subscription,
  currency: string,
  covered: Period,
): LineContent[] {
  const percent = subscription.overrides?.discountPercent;
  const base = contents.reduce((sum, line) => sum.plus(line.amount), new Exact(0));
  if (percent === undefined || new Exact(percent).isZero() || base.isZero()) return [...contents];
  return [
    ...contents,
    {
      kind: 'discount',
      chargeKey: null,
      meterKey: null,
      description: `contract discount ${percent}%`,
      periodStart: covered.start.toISOString(),
      periodEnd: covered.end.toISOString(),
      quantity: toMoney(base, currency),
      unitPrice: null,
      amount: toMoney(base.times(percent).dividedBy(100).negated(), currency),
      breakdown: [],
      groups: [],
    },
  ];
}

/**
 * The lines of one subscription period's invoice before prepaid credits and tax: usage charges rated on
 * the period's quantities (minimums and maximums prorated to the covered share), flat fees in arrears for
 * this period and in advance for the next (and for the first period itself), late usage rolled forward,
 * and the contract's discount on all of them. Each line is rounded once.
 */
export function draftContents(input: DraftInput): LineContent[] {
  const { catalog, subscription, customer } = input;
  const plan = catalog.plans.find((candidate) => candidate.key === subscription.plan);
  if (!plan) throw new Error(`plan ${subscription.plan} of subscription ${subscription.key} is not in the catalog`);
  const currency = customer.currency;
  const contents: LineContent[] = [];
  for (const planCharge of plan.charges) {
    const charge = contractCharge(planCharge, subscription.overrides);
    if (charge.model === 'flat') {
      const timing = chargeSettings(charge).timing;
      if (timing === 'in_arrears')
        contents.push(flatFeeLine(charge, currency, input.period, input.covered, 'in_arrears'));
      else {
        // This period's fee: on its own invoice when it is the first, or trued up when it was billed ahead.
        const own = input.feeBilled(charge.key, input.period);
        if (input.first || own.finalized)
          contents.push(...optional(advanceFeeLine(charge, currency, input.period, input.covered, own)));
        if (input.next)
          contents.push(
            ...optional(
              advanceFeeLine(
                charge,
                currency,
                input.next.period,
                input.next.covered,
                input.feeBilled(charge.key, input.next.period),
              ),
            ),
          );
      }
      continue;
    }
    const meter = catalog.meters.find((candidate) => candidate.key === charge.meter);
    const line = meter && usageLine(input, charge, meter);
    if (line) contents.push(line);
  }
  contents.push(...input.adjustments);
  return withDiscount(contents, subscription, currency, input.covered);
}

const optional = <T>(item: T | undefined): T[] => (item === undefined ? [] : [item]);

/**
 * What this period's in-advance fees come to, by charge key, when another document bills them (ahead,
 * on the previous invoice): finalizing checks that the documents billing them add up to it. Empty for a
 * first period (its own line bills them) and for fees no document here billed ahead.
 */
export function advanceFeeExpectations(input: DraftInput): Record<string, string> {
  const plan = input.catalog.plans.find((candidate) => candidate.key === input.subscription.plan);
  const expected: Record<string, string> = {};
  if (!plan || input.first) return expected;
  for (const planCharge of plan.charges) {
    const charge = contractCharge(planCharge, input.subscription.overrides);
    if (charge.model !== 'flat' || chargeSettings(charge).timing !== 'in_advance') continue;
    const billed = input.feeBilled(charge.key, input.period);
    if (billed.finalized || billed.drafted)
      expected[charge.key] = flatFeeLine(
        charge,
        input.customer.currency,
        input.period,
        input.covered,
        'in_advance',
      ).amount;
  }
  return expected;
}

/**
 * Adds the tax line (the subtotal at the rate of the customer's tax region, rounded once; none when
 * the catalog declares no rates), numbers the lines and totals them. Totals add rounded lines, so
 * lines always sum to the total.
 */
export function completeDraft(
  header: DraftHeader,
  contents: readonly LineContent[],
  advanceFees: Record<string, string> = {},
): InvoiceDraft {
  const { catalog, customer, covered } = header;
  const currency = customer.currency;
  const lines = [...contents];
  const subtotal = lines.reduce((sum, line) => sum.plus(line.amount), new Exact(0));
  const taxRate = catalog.taxRates.find((rate) => rate.region === customer.taxRegion);
  if (taxRate) {
    lines.push({
      kind: 'tax',
      chargeKey: null,
      meterKey: null,
      description: `${taxRate.name} ${taxRate.rate}%`,
      periodStart: covered.start.toISOString(),
      periodEnd: covered.end.toISOString(),
      quantity: toMoney(subtotal, currency),
      unitPrice: null,
      amount: toMoney(subtotal.times(taxRate.rate).dividedBy(100), currency),
      breakdown: [],
      groups: [],
    });
  }
  const taxTotal = lines
    .filter((line) => line.kind === 'tax')
    .reduce((sum, line) => sum.plus(line.amount), new Exact(0));
  return {
    subscriptionKey: header.subscription.key,
    customerKey: customer.key,
    legalEntity: customer.legalEntity,
    currency,
    periodStart: header.period.start.toISOString(),
    periodEnd: header.period.end.toISOString(),
    coveredStart: covered.start.toISOString(),
    coveredEnd: covered.end.toISOString(),
    catalogVersion: header.catalogVersion,
    lines: lines.map((line, index) => ({ ...line, lineNo: index + 1 })),
    subtotal: toMoney(subtotal, currency),
    taxTotal: toMoney(taxTotal, currency),
    total: toMoney(subtotal.plus(taxTotal), currency),
    advanceFees,
  };
}
