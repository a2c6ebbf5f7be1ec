// The rating engine's vocabulary: what goes into pricing one charge for one period and what comes out.

/** What was used in the period, as the billing run (or a price preview) knows it. */
export interface RatingInput {
  /** Units of the charge's meter in the period; for percentage models, the summed amount. */
  quantity: string;
  /**
   * Percentage models: each event's value, in event order (free events, per-event fees and per-event
   * minimum or maximum need them). Their sum must equal `quantity`.
   */
  eventValues?: readonly string[];
  /** Percentage models without per-event values: how many events the quantity sums. */
  eventCount?: number;
  /**
   * Quantity already billed earlier in the same period: the result is what the new total costs
   * beyond what that quantity cost (cumulative re-rating, never the new units at some unit price).
   */
  alreadyBilled?: string;
  /** Share of the full period the subscription covered, 0-1: scales flat fees, minimums and maximums. */
  proration?: string;
}

export type RatingLineKind =
  | 'flat_fee'
  | 'units'
  | 'tier_units'
  | 'tier_flat_fee'
  | 'packages'
  | 'percentage'
  | 'event_fees'
  | 'per_event_limits'
  | 'maximum'
  | 'minimum_shortfall'
  | 'already_billed';

/** One step of a calculation, exact (unrounded): the breakdown that explains an amount. */
export interface RatingLine {
  kind: RatingLineKind;
  description: string;
  /** Units (or amount, for percentages) the step prices. */
  quantity?: string;
  unitPrice?: string;
  /** Percent, for percentage steps. */
  rate?: string;
  /** 1-based tier, with its bounds: units above `from`, up to and including `upTo` (null: no limit). */
  tier?: number;
  from?: string;
  upTo?: string | null;
  amount: string;
}

export interface RatingResult {
  model: string;
  currency: string;
  /** The quantity as metered (or given). */
  quantity: string;
  /** The quantity priced: the metered one converted and rounded by the charge's `quantityRounding`, else the same. */
  ratedQuantity: string;
  /** How the charge rounded the quantity ("÷ 1000, rounded up to whole units"), when it does. */
  quantityRounding?: string;
  /** Quantity priced after free units. */
  billableQuantity: string;
  lines: RatingLine[];
  /** Sum of the lines, exact. */
  exactAmount: string;
  /** Rounded once to the currency's minor unit, half away from zero. */
  amount: string;
  rounding: string;
}
