import { Decimal } from 'decimal.js';
import { isIso4217Currency } from '../../../platform/iso-4217.js';
import { DeliveryFailure, type BillingHandOff, type BillingItem, type UsageHandOff } from '../connector.js';
import type { InvoiceItemInput, MeterEventInput } from './stripe-billing-client.js';

// What a Meterbridge hand-off becomes in Stripe. Each document line is one invoice item whose amount is
// the line's to the cent: `unit_amount_decimal` times `quantity` where that product is the line's amount
// exactly (a whole quantity at a unit price), else the line's `amount` with the quantity and price in the
// description (tiers, package prices and fractional quantities, which Stripe's items cannot express).
// A usage record becomes one meter event named by the target's meter map.

const DESCRIPTION_MAX = 500;
const invalid = (message: string, path?: string) => new DeliveryFailure('invalid', message, path ? { path } : {});

// Stripe's own minor units, which are not always ISO 4217's: its zero-decimal currencies; three-decimal
// ones whose last digit must be 0; every other currency two-decimal — ISK included, which ISO gives none
// and Stripe still takes as two decimals (an ISK amount of 100 is 1 króna).
const ZERO_DECIMAL = new Set('BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF'.split(' '));
const THREE_DECIMAL = new Set('BHD JOD KWD OMR TND'.split(' '));

/** How many decimals Stripe's integer amounts of the currency carry. */
export function stripeDecimals(currency: string): number {
  const code = currency.toUpperCase();
  return ZERO_DECIMAL.has(code) ? 0 : THREE_DECIMAL.has(code) ? 3 : 2;
}

/** A Stripe integer amount back in the currency's major units, exact decimal text (the inverse of minorUnits). */
export function majorUnits(minor: number, currency: string): string {
  return new Decimal(minor).dividedBy(new Decimal(10).pow(stripeDecimals(currency))).toFixed();
}

/** Stripe's integer amount of a decimal amount in the currency; what Stripe cannot take exactly is refused. */
export function minorUnits(amount: string, currency: string, path: string): Decimal {
  if (!isIso4217Currency(currency.toUpperCase())) throw invalid(`${currency} is not an ISO 4217 currency`, 'currency');
  const decimals = stripeDecimals(currency);
  const minor = new Decimal(amount).times(new Decimal(10).pow(decimals));
  if (!minor.isInteger()) throw invalid(`${amount} ${currency} is not a whole number of Stripe's minor units`, path);
  if (decimals === 3 && !minor.mod(10).isZero())
    throw invalid(`${amount} ${currency}: Stripe takes three-decimal amounts with a last digit of 0`, path);
  return minor;
}

function chargeOf(item: BillingItem, currency: string, path: string): InvoiceItemInput['charge'] {
  const amount = minorUnits(item.amount, currency, `${path}.amount`);
  if (!amount.abs().lte(Number.MAX_SAFE_INTEGER)) throw invalid(`${item.amount} is too large for Stripe`, path);
  const { quantity, unitPrice } = item;
  if (quantity !== null && unitPrice !== null && /^\d{1,15}$/.test(quantity)) {
    const unit = new Decimal(unitPrice).times(new Decimal(10).pow(stripeDecimals(currency)));
    // Stripe takes at most 12 decimals of a unit amount, and the product must be the line's amount exactly.
    if (unit.decimalPlaces() <= 12 && !unit.isNegative() && unit.times(quantity).equals(amount))
      return { unitAmountDecimal: unit.toFixed(), quantity: Number(quantity) };
  }
  return { amount: amount.toNumber() };
}

function descriptionOf(item: BillingItem, charge: InvoiceItemInput['charge']): string {
  const priced =
    'amount' in charge && item.quantity !== null
      ? ` (${item.quantity}${item.unitPrice === null ? '' : ` at ${item.unitPrice}`})`
      : '';
  // Cut by code points: a cut through a surrogate pair would leave text the request cannot encode.
  const points = [...`${item.description}${priced}`];
  return points.length > DESCRIPTION_MAX ? `${points.slice(0, DESCRIPTION_MAX - 1).join('')}…` : points.join('');
}

/** The invoice items of a hand-off, in line order (line n of the posting is item n-1), checked against its total. */
export function invoiceItemsOf(body: BillingHandOff): InvoiceItemInput[] {
  let sum = new Decimal(0);
  const items = body.items.map((item, index) => {
    const charge = chargeOf(item, body.currency, `items[${index}]`);
    sum = sum.plus(item.amount);
    return {
      customer: body.customer,
      currency: body.currency,
      description: descriptionOf(item, charge),
      period: { start: new Date(item.period.start), end: new Date(item.period.end) },
      charge,
      metadata: {
        meterbridge_invoice: body.source.invoiceNumber,
        meterbridge_invoice_id: item.reference.invoiceId,
        meterbridge_invoice_line: String(item.reference.lineNo),
      },
    };
  });
  if (!sum.equals(body.total))
    throw invalid(`the items of ${body.externalId} add up to ${sum.toFixed()}, not its total ${body.total}`, 'total');
  return items;
}

/** The meter events of a usage hand-off; a meter the target names no Stripe meter for is refused. */
export function meterEventsOf(body: UsageHandOff, meters: Readonly<Record<string, string>>): MeterEventInput[] {
  return body.events.map((event, index) => {
    if (!Object.hasOwn(meters, event.meter))
      throw invalid(
        `meter ${event.meter} has no Stripe meter in the target's settings.meters`,
        `events[${index}].meter`,
      );
    return {
      eventName: meters[event.meter]!,
      customer: body.customer,
      value: event.value,
      timestamp: new Date(event.time),
    };
  });
}
