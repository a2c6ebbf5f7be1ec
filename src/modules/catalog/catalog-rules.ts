import { Decimal } from 'decimal.js';
import type { FieldError } from '../../platform/errors.js';
import { isDecimalText } from '../../platform/decimal-text.js';
import { escapePointerToken } from '../../platform/json-pointer.js';
import type { Catalog, Customer, Plan, Subscription, TaxRate } from './catalog.js';
import { checkAccounting } from './accounting-rules.js';
import { checkBilledIn } from './billed-in-rules.js';
import { checkChargePricing, contractCharge } from './charge-pricing.js';
import { checkTarget } from './target-rules.js';
import { isIso4217Currency, minorUnitDigits } from '../../platform/iso-4217.js';

// The rules JSON Schema cannot state: keys unique per kind, references that resolve, ISO 4217 codes, tax
// rates from 0 to 100 percent covering every customer's tax region (once any is declared), one customer
// per subject, subscriptions that neither end before they start nor overlap, and customers billed in a
// currency their plans price; targets and the accounting of posted entities (target-rules.ts,
// accounting-rules.ts). All are checked on a schema-valid catalog and reported together.

export function catalogRuleErrors(catalog: Catalog): FieldError[] {
  const errors: FieldError[] = [];
  const report = (path: string, message: string): void => {
    errors.push({ path, message });
  };

  const entities = firstByKey(catalog.legalEntities, (entity) => entity.code, '/legalEntities', 'code', report);
  const customers = firstByKey(catalog.customers, (customer) => customer.key, '/customers', 'key', report);
  const taxRates = firstByKey(catalog.taxRates, (taxRate) => taxRate.region, '/taxRates', 'region', report);
  const meters = firstByKey(catalog.meters, (meter) => meter.key, '/meters', 'key', report);
  const plans = firstByKey(catalog.plans, (plan) => plan.key, '/plans', 'key', report);
  firstByKey(catalog.subscriptions, (subscription) => subscription.key, '/subscriptions', 'key', report);
  catalog.plans.forEach((plan, p) =>
    firstByKey(plan.charges, (charge) => charge.key, `/plans/${p}/charges`, 'key', report),
  );

  const refersTo = (path: string, index: ReadonlyMap<string, number>, key: string, kind: string): boolean => {
    if (index.has(key)) return true;
    report(path, `refers to ${kind} "${key}", which the catalog does not declare`);
    return false;
  };
  const currency = (path: string, code: string | undefined): void => {
    if (code !== undefined && !isIso4217Currency(code))
      report(path, `"${code}" is not an active ISO 4217 currency code`);
  };

  catalog.legalEntities.forEach((entity, e) => currency(`/legalEntities/${e}/currency`, entity.currency));
  catalog.customers.forEach((customer, c) => {
    refersTo(`/customers/${c}/legalEntity`, entities, customer.legalEntity, 'legal entity');
    currency(`/customers/${c}/currency`, customer.currency);
    // No tax rate at all means invoices carry no tax; once one is declared, every customer's region needs one.
    if (taxRates.size > 0 && !taxRates.has(customer.taxRegion)) {
      report(`/customers/${c}/taxRegion`, `no tax rate is declared for tax region "${customer.taxRegion}"`);
    }
  });
  catalog.taxRates.forEach((taxRate, t) => checkTaxRate(taxRate, `/taxRates/${t}/rate`, report));
  catalog.plans.forEach((plan, p) => {
    currency(`/plans/${p}/currency`, plan.currency);
    plan.charges.forEach((charge, h) => {
      const at = `/plans/${p}/charges/${h}`;
      if (charge.meter !== undefined) refersTo(`${at}/meter`, meters, charge.meter, 'meter');
      else if (charge.model !== 'flat')
        report(`${at}/meter`, `is required: a "${charge.model}" charge prices a meter's usage`);
      for (const code of Object.keys(charge.prices ?? {})) currency(`${at}/prices/${escapePointerToken(code)}`, code);
      checkChargePricing(charge, at, report);
    });
  });
  catalog.subscriptions.forEach((subscription, s) => {
    const customerKnown = refersTo(`/subscriptions/${s}/customer`, customers, subscription.customer, 'customer');
    const planKnown = refersTo(`/subscriptions/${s}/plan`, plans, subscription.plan, 'plan');
    if (customerKnown && planKnown) checkPricedCurrency(catalog, subscription, s, customers, plans, report);
    if (planKnown) checkOverrides(catalog.plans[plans.get(subscription.plan) ?? -1], subscription, s, report);
    if (planKnown && customerKnown) {
      checkCredits(
        catalog.plans[plans.get(subscription.plan) ?? -1],
        catalog.customers[customers.get(subscription.customer) ?? -1],
        subscription,
        s,
        report,
      );
    }
  });

  checkSubjects(catalog, report);
  checkPeriods(catalog.subscriptions, report);

  const targets = firstByKey(catalog.targets ?? [], (target) => target.key, '/targets', 'key', report);
  catalog.targets?.forEach((target, t) => checkTarget(target, t, report));
  checkAccounting(catalog, { targets, meters, plans, taxRates }, report);
  checkBilledIn(catalog, { targets, meters, plans, taxRates, customers }, report);
  return errors;
}

type Report = (path: string, message: string) => void;

/** Index of the first item per key; each later item with the same key is reported at its key's path. */
function firstByKey<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  base: string,
  field: string,
  report: Report,
): Map<string, number> {
  const first = new Map<string, number>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, index);
    else report(`${base}/${index}/${field}`, `"${key}" is already the ${field} of ${base}/${earlier}`);
  });
  return first;
}

/** A rate is a percent: a decimal string from 0 to 100, compared exactly. */
function checkTaxRate(taxRate: TaxRate, path: string, report: Report): void {
  if (!isDecimalText(taxRate.rate)) {
    report(path, 'must be a percent as a decimal string from 0 to 100, such as "7.25"');
    return;
  }
  const rate = new Decimal(taxRate.rate);
  if (rate.lessThan(0)) report(path, `must be a percent from 0 to 100; ${taxRate.rate} is negative`);
  else if (rate.greaterThan(100)) report(path, `must be a percent from 0 to 100; ${taxRate.rate} is over 100`);
}

/** A subject (a customer's key or alias) must resolve to one customer, or metering could not attribute its events. */
function checkSubjects(catalog: Catalog, report: Report): void {
  const owners = new Map<string, { customer: string; path: string }>();
  catalog.customers.forEach((customer, c) => {
    if (!owners.has(customer.key)) owners.set(customer.key, { customer: customer.key, path: `/customers/${c}/key` });
  });
  catalog.customers.forEach((customer, c) => {
    customer.aliases?.forEach((alias, a) => {
      const owner = owners.get(alias);
      const path = `/customers/${c}/aliases/${a}`;
      if (owner === undefined) owners.set(alias, { customer: customer.key, path });
      else if (owner.customer !== customer.key) {
        report(path, `subject "${alias}" already belongs to customer "${owner.customer}" (${owner.path})`);
      }
    });
  });
}

/** Subscriptions are active on [start, end): an end at or before the start, or two overlapping ones of a customer to a plan, are refused. */
function checkPeriods(subscriptions: readonly Subscription[], report: Report): void {
  const seen = new Map<string, { index: number; start: number; end: number; startText: string }[]>();
  subscriptions.forEach((subscription, s) => {
    const start = Date.parse(subscription.start);
    const end = subscription.end === undefined ? Number.POSITIVE_INFINITY : Date.parse(subscription.end);
    if (end <= start) {
      report(`/subscriptions/${s}/end`, `must be after start (${subscription.start})`);
      return;
    }
    const pair = JSON.stringify([subscription.customer, subscription.plan]);
    const earlier = seen.get(pair) ?? [];
    const overlapped = earlier.find((other) => other.start < end && start < other.end);
    if (overlapped !== undefined) {
      report(
        `/subscriptions/${s}`,
        `/subscriptions/${overlapped.index} and /subscriptions/${s} both subscribe customer "${subscription.customer}" to plan "${subscription.plan}" from ${start >= overlapped.start ? subscription.start : overlapped.startText}`,
      );
    }
    seen.set(pair, [...earlier, { index: s, start, end, startText: subscription.start }]);
  });
}

/** A contract's overrides: a discount from 0 to 100 percent, and charges of its plan priced by the same rules as the plan's. */
function checkOverrides(plan: Plan | undefined, subscription: Subscription, s: number, report: Report): void {
  const overrides = subscription.overrides;
  if (!overrides || !plan) return;
  const at = `/subscriptions/${s}/overrides`;
  const discount = overrides.discountPercent;
  if (
    discount !== undefined &&
    !(isDecimalText(discount) && !new Decimal(discount).isNegative() && new Decimal(discount).lessThanOrEqualTo(100))
  ) {
    report(`${at}/discountPercent`, 'must be a percent as a decimal string from 0 to 100, such as "10"');
  }
  for (const key of Object.keys(overrides.charges ?? {})) {
    const path = `${at}/charges/${escapePointerToken(key)}`;
    const charge = plan.charges.find((candidate) => candidate.key === key);
    if (!charge) report(path, `plan "${plan.key}" has no charge "${key}" to override`);
    else checkChargePricing(contractCharge(charge, overrides), path, report);
  }
}

/**
 * A contract's prepaid credits: keys unique within it, an amount above 0 that the customer's currency can
 * state, a validity that overlaps the subscription, and charges its plan has.
 */
function checkCredits(
  plan: Plan | undefined,
  customer: Customer | undefined,
  subscription: Subscription,
  s: number,
  report: Report,
): void {
  const credits = subscription.credits ?? [];
  if (!plan || !customer) return;
  firstByKey(credits, (credit) => credit.key, `/subscriptions/${s}/credits`, 'key', report);
  const digits = minorUnitDigits(customer.currency);
  const subscriptionEnd = subscription.end === undefined ? Number.POSITIVE_INFINITY : Date.parse(subscription.end);
  credits.forEach((credit, c) => {
    const at = `/subscriptions/${s}/credits/${c}`;
    const amount = new Decimal(credit.amount);
    if (amount.isZero()) report(`${at}/amount`, 'must be more than 0');
    else if (digits !== undefined && amount.decimalPlaces() > digits) {
      report(
        `${at}/amount`,
        `must have at most ${digits} decimal places: customer "${customer.key}" is billed in ${customer.currency}`,
      );
    }
    const from = Date.parse(credit.effectiveFrom ?? subscription.start);
    if (credit.effectiveFrom !== undefined && from >= subscriptionEnd)
      report(`${at}/effectiveFrom`, `must be before the subscription ends (${subscription.end})`);
    if (credit.expiresAt !== undefined) {
      const until = Date.parse(credit.expiresAt);
      if (until <= from)
        report(
          `${at}/expiresAt`,
          `must be after the credit takes effect (${credit.effectiveFrom ?? subscription.start})`,
        );
      else if (until <= Date.parse(subscription.start))
        report(`${at}/expiresAt`, `must be after the subscription starts (${subscription.start})`);
    }
    credit.charges?.forEach((key, k) => {
      if (!plan.charges.some((charge) => charge.key === key))
        report(`${at}/charges/${k}`, `plan "${plan.key}" has no charge "${key}"`);
    });
  });
}

/** Each charge of the plan must have a price in the customer's billing currency, or rating could not price its usage. */
function checkPricedCurrency(
  catalog: Catalog,
  subscription: Subscription,
  s: number,
  customers: ReadonlyMap<string, number>,
  plans: ReadonlyMap<string, number>,
  report: Report,
): void {
  const customer = catalog.customers[customers.get(subscription.customer) ?? -1];
  const p = plans.get(subscription.plan) ?? -1;
  const plan = catalog.plans[p];
  if (customer === undefined || plan === undefined) return;
  const unpriced = plan.charges.filter((charge) => !Object.hasOwn(charge.prices ?? {}, customer.currency));
  if (unpriced.length === 0) return;
  report(
    `/subscriptions/${s}/plan`,
    `plan "${plan.key}" has no ${customer.currency} price for charge ${unpriced.map((charge) => `"${charge.key}"`).join(', ')}, but customer "${customer.key}" is billed in ${customer.currency}`,
  );
}
