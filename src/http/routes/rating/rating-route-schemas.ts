import { CHARGE_MODELS } from '../../../modules/catalog/index.js';
import type { RatingLineKind } from '../../../modules/rating/index.js';

// Shapes only: validateCharge and rateCharge check the values, so every bad one is reported with its
// body path; the schema refuses only fields that do not exist or have the wrong type.
const text = (description: string) => ({ type: 'string', description }) as const;
const decimal = (description: string) =>
  ({ type: 'string', description: `${description} A decimal string such as "1500" or "0.25".` }) as const;

/** The most per-event values one preview prices: the rating engine's own limit, refused here before any work. */
const MAX_PREVIEW_EVENT_VALUES = 100_000;

export const ratingPreviewBody = {
  type: 'object',
  additionalProperties: false,
  required: ['currency', 'quantity'],
  properties: {
    charge: {
      type: 'object',
      description:
        'One charge exactly as written in a catalog plan (key, model, prices, config; meter is not looked up). Not with plan.',
    },
    plan: text('Key of a plan of the current catalog version; with chargeKey, instead of charge.'),
    chargeKey: text('Key of a charge of that plan.'),
    currency: text("ISO 4217 code of one of the charge's prices."),
    quantity: decimal("Units of the charge's meter in the period; for percentage models, the summed amount."),
    eventValues: {
      type: 'array',
      maxItems: MAX_PREVIEW_EVENT_VALUES,
      items: { type: 'string' },
      description: `Percentage models: each event's value (decimal strings, at most ${MAX_PREVIEW_EVENT_VALUES}); they must sum to quantity.`,
    },
    eventCount: {
      type: 'integer',
      description: 'Percentage models without eventValues: how many events the quantity sums.',
    },
    alreadyBilled: decimal('Quantity billed earlier in the period: the result is what the new total costs beyond it.'),
    proration: decimal('Share of the period covered, 0-1 (default 1): scales flat fees, minimums and maximums.'),
  },
} as const;

// A record, not a list: the compiler then insists on every kind the rating engine can produce.
const LINE_KINDS: Record<RatingLineKind, true> = {
  flat_fee: true,
  units: true,
  tier_units: true,
  tier_flat_fee: true,
  packages: true,
  percentage: true,
  event_fees: true,
  per_event_limits: true,
  maximum: true,
  minimum_shortfall: true,
  already_billed: true,
};

const ratingLineSchema = {
  type: 'object',
  required: ['kind', 'description', 'amount'],
  properties: {
    kind: { type: 'string', enum: Object.keys(LINE_KINDS) },
    description: text('The step in words.'),
    quantity: text('Units (or amount, for percentages) the step prices.'),
    unitPrice: { type: 'string' },
    rate: text('Percent, for percentage steps.'),
    tier: { type: 'integer', description: '1-based tier.' },
    from: text('The tier holds the units above this...'),
    upTo: { type: ['string', 'null'], description: '...up to and including this (null: no limit).' },
    amount: text('Exact, unrounded.'),
  },
} as const;

export const ratingPreviewSchema = {
  type: 'object',
  required: [
    'charge',
    'model',
    'currency',
    'quantity',
    'ratedQuantity',
    'billableQuantity',
    'lines',
    'exactAmount',
    'amount',
    'rounding',
  ],
  properties: {
    charge: {
      type: 'object',
      required: ['key', 'model'],
      properties: { key: { type: 'string' }, model: { type: 'string', enum: [...CHARGE_MODELS] } },
    },
    model: { type: 'string', enum: [...CHARGE_MODELS] },
    currency: { type: 'string' },
    quantity: text('The quantity as given (as metered).'),
    ratedQuantity: text(
      "The quantity priced: converted and rounded by the charge's quantityRounding, else the quantity.",
    ),
    quantityRounding: text('How the charge rounded the quantity, when it does ("÷ 1000, rounded up to whole units").'),
    billableQuantity: text('Quantity priced after free units.'),
    lines: { type: 'array', items: ratingLineSchema, description: 'The exact steps that explain the amount.' },
    exactAmount: text('Sum of the lines, exact.'),
    amount: text("The exact amount rounded once to the currency's minor unit."),
    rounding: text('How amount was rounded: half_away_from_zero.'),
  },
} as const;
