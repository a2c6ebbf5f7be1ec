import type { PercentageTier, Tier } from '../catalog/index.js';
import { Exact, exact, text } from '../../platform/money.js';
import type { RatingLine } from './rating.js';

// Tier walks. A tier holds the units above the previous tier's upTo up to and including its own
// (first tier: from 0), the last one without limit. Quantity 0 still reaches the first tier.

interface TierRange {
  index: number;
  from: Exact;
  upTo: Exact | null;
}

function ranges(tiers: readonly { upTo: string | null }[]): TierRange[] {
  let from = exact(0);
  return tiers.map((tier, index) => {
    const range = { index, from, upTo: tier.upTo === null ? null : exact(tier.upTo) };
    if (range.upTo) from = range.upTo;
    return range;
  });
}

/** Tiers the quantity reaches: the first always; each later one once the quantity is above its lower bound. */
function reached(quantity: Exact, tiers: readonly { upTo: string | null }[]): { range: TierRange; units: Exact }[] {
  return ranges(tiers)
    .filter((range) => range.index === 0 || quantity.greaterThan(range.from))
    .map((range) => ({ range, units: Exact.max(0, Exact.min(quantity, range.upTo ?? quantity).minus(range.from)) }));
}

const bounds = (range: TierRange) => ({
  tier: range.index + 1,
  from: text(range.from),
  upTo: range.upTo ? text(range.upTo) : null,
});

/** Graduated: each reached tier prices its own units at its unit price, plus its flat fee once. */
export function graduatedLines(quantity: Exact, tiers: readonly Tier[]): RatingLine[] {
  return reached(quantity, tiers).flatMap(({ range, units }) => {
    const tier = tiers[range.index] as Tier;
    const lines: RatingLine[] = [];
    if (units.greaterThan(0)) {
      lines.push({
        kind: 'tier_units',
        description: `tier ${range.index + 1}: ${text(units)} × ${tier.unitPrice}`,
        quantity: text(units),
        unitPrice: tier.unitPrice,
        ...bounds(range),
        amount: text(units.times(tier.unitPrice)),
      });
    }
    if (!exact(tier.flatFee).isZero()) {
      lines.push({
        kind: 'tier_flat_fee',
        description: `tier ${range.index + 1} flat fee`,
        ...bounds(range),
        amount: tier.flatFee,
      });
    }
    return lines;
  });
}

/** Volume: the tier the whole quantity falls in prices every unit, plus only that tier's flat fee. */
export function volumeLines(quantity: Exact, tiers: readonly Tier[]): RatingLine[] {
  const all = ranges(tiers);
  const range = all.find(
    (candidate) => candidate.upTo === null || quantity.lessThanOrEqualTo(candidate.upTo),
  ) as TierRange;
  const tier = tiers[range.index] as Tier;
  const lines: RatingLine[] = [
    {
      kind: 'tier_units',
      description: `tier ${range.index + 1}: all ${text(quantity)} × ${tier.unitPrice}`,
      quantity: text(quantity),
      unitPrice: tier.unitPrice,
      ...bounds(range),
      amount: text(quantity.times(tier.unitPrice)),
    },
  ];
  if (!exact(tier.flatFee).isZero())
    lines.push({
      kind: 'tier_flat_fee',
      description: `tier ${range.index + 1} flat fee`,
      ...bounds(range),
      amount: tier.flatFee,
    });
  return lines;
}

/** Graduated percentage: each reached tier takes its rate of the part of the amount within it, plus its flat fee once. */
export function graduatedPercentageLines(amount: Exact, tiers: readonly PercentageTier[]): RatingLine[] {
  return reached(amount, tiers).flatMap(({ range, units }) => {
    const tier = tiers[range.index] as PercentageTier;
    const lines: RatingLine[] = [
      {
        kind: 'percentage',
        description: `tier ${range.index + 1}: ${tier.rate}% of ${text(units)}`,
        quantity: text(units),
        rate: tier.rate,
        ...bounds(range),
        amount: text(units.times(tier.rate).dividedBy(100)),
      },
    ];
    if (!exact(tier.flatFee).isZero())
      lines.push({
        kind: 'tier_flat_fee',
        description: `tier ${range.index + 1} flat fee`,
        ...bounds(range),
        amount: tier.flatFee,
      });
    return lines;
  });
}
