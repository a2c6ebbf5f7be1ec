import { Decimal } from 'decimal.js';
import { isDecimalText as isDecimal } from '../../platform/decimal-text.js';
import { escapePointerToken } from '../../platform/json-pointer.js';
import type { Charge, ChargeModel, SubscriptionOverrides } from './catalog.js';

// What a charge's `prices` and `config` mean, model by model: the shapes a file may use (a price per
// currency as a decimal string shorthand, or an object), the one normalized form the rating engine
// reads, and every rule a price must meet. Amounts are decimal strings; nothing here is a float.

/** One tier: units above the previous tier's `upTo`, up to and including this one's (null: no limit). */
export interface Tier {
  upTo: string | null;
  unitPrice: string;
  flatFee: string;
}

export interface PercentageTier {
  upTo: string | null;
  /** Percent (0-100) of the part of the amount within the tier. */
  rate: string;
  flatFee: string;
}

/** A charge's price in one currency, normalized: every default filled in. */
export type ModelPrice =
  | { model: 'flat'; amount: string }
  | { model: 'per_unit'; unitPrice: string }
  | { model: 'package'; packagePrice: string }
  | { model: 'graduated' | 'volume'; tiers: Tier[] }
  | { model: 'percentage'; fixedFeePerEvent: string; minPerEvent: string | null; maxPerEvent: string | null }
  | { model: 'graduated_percentage'; tiers: PercentageTier[] };

export type ChargePrice = ModelPrice & {
  /** Least the charge bills per full period (a shortfall line makes up the difference). */
  minimum: string | null;
  /** Most the charge bills per full period (usage beyond it is capped). */
  maximum: string | null;
};

/**
 * How a charge turns the period's metered quantity into the quantity it prices: divided by `divideBy`
 * (a unit conversion: bytes to GB, tokens to millions), then rounded `mode` at `precision` decimal
 * places (negative: to tens, hundreds, ...). Lago's billable-metric rounding; OpenMeter's unit conversion.
 */
export interface QuantityRounding {
  mode: 'round' | 'ceil' | 'floor';
  precision: number;
  divideBy: string;
}

const ROUNDING_MODES: readonly QuantityRounding['mode'][] = ['round', 'ceil', 'floor'];
/** Places a quantity may be rounded to, either way: 10^18 units is beyond any meter's period total. */
const MAX_ROUNDING_PRECISION = 18;

/** Currency-independent settings of a charge (`config`), normalized. */
export interface ChargeSettings {
  /** The quantity the charge prices, from the metered one; null: as metered. */
  quantityRounding: QuantityRounding | null;
  /** Units (or, for percentage, amount) free before pricing. */
  freeUnits: string;
  packageSize: string;
  rounding: 'up' | 'down';
  /** Percentage model: percent (0-100) of the summed amount. */
  rate: string;
  /** Percentage model: the first events of the period that pay no fee. */
  freeEvents: number;
  /** Flat fees: billed at the start of the period (in advance) or its end (in arrears). */
  timing: 'in_advance' | 'in_arrears';
}

/** The price fields each model may use (besides `minimum` and `maximum`); the first is the string shorthand's. */
export const PRICE_FIELDS: Readonly<Record<ChargeModel, readonly string[]>> = {
  flat: ['amount'],
  per_unit: ['unitPrice'],
  package: ['packagePrice'],
  graduated: ['tiers'],
  volume: ['tiers'],
  percentage: ['fixedFeePerEvent', 'minPerEvent', 'maxPerEvent'],
  graduated_percentage: ['tiers'],
};

/** The `config` fields each model may use. */
export const CONFIG_FIELDS: Readonly<Record<ChargeModel, readonly string[]>> = {
  flat: ['timing'],
  per_unit: ['freeUnits', 'quantityRounding'],
  package: ['freeUnits', 'packageSize', 'rounding', 'quantityRounding'],
  graduated: ['freeUnits', 'quantityRounding'],
  volume: ['freeUnits', 'quantityRounding'],
  percentage: ['freeUnits', 'rate', 'freeEvents'],
  graduated_percentage: [],
};

type RawPrice = string | Record<string, unknown>;
type Report = (path: string, message: string) => void;

function expanded(model: ChargeModel, raw: RawPrice): Record<string, unknown> {
  return typeof raw === 'string' ? { [PRICE_FIELDS[model][0] as string]: raw } : raw;
}

function checkAmount(
  value: unknown,
  path: string,
  report: Report,
  options: { positive?: boolean; percent?: boolean } = {},
): boolean {
  if (!isDecimal(value)) {
    report(path, 'must be a decimal string such as "0.25"');
    return false;
  }
  const amount = new Decimal(value);
  if (amount.isNegative()) report(path, 'must not be negative');
  else if (options.positive && amount.isZero()) report(path, 'must be greater than 0');
  else if (options.percent && amount.greaterThan(100)) report(path, 'is a percentage and must be at most 100');
  else return true;
  return false;
}

function checkTiers(tiers: unknown, path: string, percentage: boolean, report: Report): void {
  if (!Array.isArray(tiers) || tiers.length === 0) {
    report(path, 'must list at least one tier');
    return;
  }
  let previous: Decimal | undefined;
  tiers.forEach((tier: Record<string, unknown>, t) => {
    const at = `${path}/${t}`;
    const last = t === tiers.length - 1;
    if (tier.upTo === null || tier.upTo === undefined) {
      if (!last) report(`${at}/upTo`, 'only the last tier may be open-ended (upTo: null)');
    } else if (checkAmount(tier.upTo, `${at}/upTo`, report, { positive: true })) {
      const upTo = new Decimal(tier.upTo as string);
      if (previous && upTo.lessThanOrEqualTo(previous))
        report(
          `${at}/upTo`,
          `must be greater than the previous tier's upTo (${previous.toString()}): tiers are sorted and do not overlap`,
        );
      previous = upTo;
      if (last) report(`${at}/upTo`, 'the last tier must be open-ended (upTo: null), so every quantity has a price');
    }
    if (percentage) {
      if (tier.rate === undefined) report(`${at}/rate`, 'is required: the percent of the amount within the tier');
      else checkAmount(tier.rate, `${at}/rate`, report, { percent: true });
      if (tier.unitPrice !== undefined)
        report(`${at}/unitPrice`, 'is not allowed in a graduated_percentage tier (it has a rate)');
    } else {
      if (tier.unitPrice === undefined && tier.flatFee === undefined)
        report(at, 'needs a unitPrice, a flatFee or both');
      if (tier.unitPrice !== undefined) checkAmount(tier.unitPrice, `${at}/unitPrice`, report);
      if (tier.rate !== undefined) report(`${at}/rate`, 'is allowed only in graduated_percentage tiers');
    }
    if (tier.flatFee !== undefined) checkAmount(tier.flatFee, `${at}/flatFee`, report);
  });
}

function checkPrice(model: ChargeModel, raw: RawPrice, path: string, report: Report): void {
  const price = expanded(model, raw);
  const allowed = [...PRICE_FIELDS[model], 'minimum', 'maximum'];
  for (const field of Object.keys(price)) {
    if (!allowed.includes(field))
      report(`${path}/${field}`, `is not a price field of a ${model} charge (allowed: ${allowed.join(', ')})`);
  }
  const [main] = PRICE_FIELDS[model];
  if (main === 'tiers') checkTiers(price.tiers, `${path}/tiers`, model === 'graduated_percentage', report);
  else if (model !== 'percentage') {
    if (price[main as string] === undefined) report(`${path}/${main}`, 'is required');
    else checkAmount(price[main as string], `${path}/${main}`, report);
  }
  for (const field of ['fixedFeePerEvent', 'minPerEvent', 'maxPerEvent', 'minimum', 'maximum']) {
    if (price[field] !== undefined && allowed.includes(field)) checkAmount(price[field], `${path}/${field}`, report);
  }
  for (const [low, high] of [
    ['minPerEvent', 'maxPerEvent'],
    ['minimum', 'maximum'],
  ] as const) {
    if (
      isDecimal(price[low]) &&
      isDecimal(price[high]) &&
      new Decimal(price[high] as string).lessThan(price[low] as string)
    ) {
      report(`${path}/${high}`, `must not be below ${low} (${price[low] as string})`);
    }
  }
}

function checkQuantityRounding(value: unknown, path: string, report: Report): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    report(path, 'must be an object such as { mode: ceil, precision: 0, divideBy: "1000" }');
    return;
  }
  const rounding = value as Record<string, unknown>;
  for (const field of Object.keys(rounding)) {
    if (!['mode', 'precision', 'divideBy'].includes(field))
      report(`${path}/${field}`, 'is not a rounding setting (allowed: mode, precision, divideBy)');
  }
  if (!ROUNDING_MODES.includes(rounding.mode as QuantityRounding['mode']))
    report(`${path}/mode`, `is required: one of ${ROUNDING_MODES.join(', ')}`);
  const precision = rounding.precision;
  if (
    precision !== undefined &&
    !(Number.isSafeInteger(precision) && Math.abs(precision as number) <= MAX_ROUNDING_PRECISION)
  ) {
    report(
      `${path}/precision`,
      `must be a whole number of decimal places from -${MAX_ROUNDING_PRECISION} to ${MAX_ROUNDING_PRECISION}`,
    );
  }
  if (rounding.divideBy !== undefined) checkAmount(rounding.divideBy, `${path}/divideBy`, report, { positive: true });
}

function checkConfig(charge: Charge, path: string, report: Report): void {
  const config = charge.config ?? {};
  const allowed = CONFIG_FIELDS[charge.model];
  for (const field of Object.keys(config)) {
    if (!allowed.includes(field))
      report(
        `${path}/${field}`,
        `is not a setting of a ${charge.model} charge${allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : ''}`,
      );
  }
  if (config.quantityRounding !== undefined && allowed.includes('quantityRounding'))
    checkQuantityRounding(config.quantityRounding, `${path}/quantityRounding`, report);
  if (config.freeUnits !== undefined && allowed.includes('freeUnits'))
    checkAmount(config.freeUnits, `${path}/freeUnits`, report);
  if (charge.model === 'package') {
    if (config.packageSize === undefined)
      report(`${path}/packageSize`, 'is required: how many units one package holds');
    else checkAmount(config.packageSize, `${path}/packageSize`, report, { positive: true });
    if (config.rounding !== undefined && config.rounding !== 'up' && config.rounding !== 'down')
      report(`${path}/rounding`, 'must be "up" or "down"');
  }
  if (charge.model === 'percentage') {
    if (config.rate === undefined) report(`${path}/rate`, 'is required: the percent of the summed amount');
    else checkAmount(config.rate, `${path}/rate`, report, { percent: true });
    if (
      config.freeEvents !== undefined &&
      !(Number.isSafeInteger(config.freeEvents) && (config.freeEvents as number) >= 0)
    ) {
      report(`${path}/freeEvents`, 'must be a whole number of events, 0 or more');
    }
  }
  if (
    charge.model === 'flat' &&
    config.timing !== undefined &&
    config.timing !== 'in_advance' &&
    config.timing !== 'in_arrears'
  ) {
    report(`${path}/timing`, 'must be "in_advance" or "in_arrears"');
  }
}

/** Every rule a charge's prices and settings break, reported at `path` (the charge's JSON Pointer). */
export function checkChargePricing(charge: Charge, path: string, report: Report): void {
  const prices = charge.prices ?? {};
  if (Object.keys(prices).length === 0) report(`${path}/prices`, 'must price the charge in at least one currency');
  for (const [code, raw] of Object.entries(prices))
    checkPrice(charge.model, raw, `${path}/prices/${escapePointerToken(code)}`, report);
  checkConfig(charge, `${path}/config`, report);
  if (charge.model === 'flat' && charge.meter !== undefined)
    report(`${path}/meter`, 'is not allowed: a flat charge is a fixed fee, not priced by usage');
}

const tiersOf = (raw: unknown): Tier[] =>
  (raw as Record<string, string | null>[]).map((tier) => ({
    upTo: tier.upTo ?? null,
    unitPrice: tier.unitPrice ?? '0',
    flatFee: tier.flatFee ?? '0',
  }));

/** The charge's price in `currency`, normalized; undefined when the charge has no price in it. Assumes a valid catalog. */
export function chargePrice(charge: Charge, currency: string): ChargePrice | undefined {
  const raw = charge.prices && Object.hasOwn(charge.prices, currency) ? charge.prices[currency] : undefined;
  if (raw === undefined) return undefined;
  const price = expanded(charge.model, raw) as Record<string, unknown>;
  const limits = {
    minimum: (price.minimum as string | undefined) ?? null,
    maximum: (price.maximum as string | undefined) ?? null,
  };
  switch (charge.model) {
    case 'flat':
      return { model: 'flat', amount: price.amount as string, ...limits };
    case 'per_unit':
      return { model: 'per_unit', unitPrice: price.unitPrice as string, ...limits };
    case 'package':
      return { model: 'package', packagePrice: price.packagePrice as string, ...limits };
    case 'graduated':
    case 'volume':
      return { model: charge.model, tiers: tiersOf(price.tiers), ...limits };
    case 'percentage':
      return {
        model: 'percentage',
        fixedFeePerEvent: (price.fixedFeePerEvent as string | undefined) ?? '0',
        minPerEvent: (price.minPerEvent as string | undefined) ?? null,
        maxPerEvent: (price.maxPerEvent as string | undefined) ?? null,
        ...limits,
      };
    case 'graduated_percentage':
      return {
        model: 'graduated_percentage',
        tiers: (price.tiers as Record<string, string | null>[]).map((tier) => ({
          upTo: tier.upTo ?? null,
          rate: tier.rate as string,
          flatFee: tier.flatFee ?? '0',
        })),
        ...limits,
      };
  }
}

/** The charge's settings with defaults filled in. */
export function chargeSettings(charge: Charge): ChargeSettings {
  const config = (charge.config ?? {}) as Record<string, unknown>;
  const rounding = config.quantityRounding as Partial<QuantityRounding> | undefined;
  return {
    quantityRounding: rounding
      ? { mode: rounding.mode ?? 'round', precision: rounding.precision ?? 0, divideBy: rounding.divideBy ?? '1' }
      : null,
    freeUnits: (config.freeUnits as string | undefined) ?? '0',
    packageSize: (config.packageSize as string | undefined) ?? '1',
    rounding: (config.rounding as 'up' | 'down' | undefined) ?? 'up',
    rate: (config.rate as string | undefined) ?? '0',
    freeEvents: (config.freeEvents as number | undefined) ?? 0,
    timing: (config.timing as 'in_advance' | 'in_arrears' | undefined) ?? 'in_advance',
  };
}

/**
 * The charge as a subscription pays it: its own prices where the contract overrides them (per
 * currency given), its settings merged over the plan's.
 */
export function contractCharge(charge: Charge, overrides: SubscriptionOverrides | undefined): Charge {
  const override =
    overrides?.charges && Object.hasOwn(overrides.charges, charge.key) ? overrides.charges[charge.key] : undefined;
  if (!override) return charge;
  return {
    ...charge,
    prices: override.prices ? { ...charge.prices, ...override.prices } : charge.prices,
    config: override.config ? { ...charge.config, ...override.config } : charge.config,
  };
}
