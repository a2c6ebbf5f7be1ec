import { exact, text, toMoney } from '../../platform/money.js';
import type { RatingResult } from './rating.js';

/** What documents already billed for a charge in one period: the summed quantity and the (rounded) amounts. */
export interface AlreadyBilled {
  quantity: string;
  amount: string;
}

/**
 * Cumulative re-rating, the one rule for late usage and for a quote with `alreadyBilled`: the period's new
 * total is rounded once, as its own invoice line would be, and what was billed (already rounded, line by
 * line) is taken off. Rounding the difference instead would drift a cent from what the period's lines
 * add up to (666 units at 0.001 with 333 billed: 0.67 − 0.33 = 0.34, not round(0.333) = 0.33).
 */
export function reRate(current: RatingResult, billed: AlreadyBilled, description: string): RatingResult {
  return {
    ...current,
    lines: [
      ...current.lines,
      { kind: 'already_billed', description, quantity: billed.quantity, amount: text(exact(billed.amount).negated()) },
    ],
    exactAmount: text(exact(current.exactAmount).minus(billed.amount)),
    amount: toMoney(exact(current.amount).minus(billed.amount), current.currency),
  };
}
