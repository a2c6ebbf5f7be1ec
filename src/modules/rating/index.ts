export { rateCharge } from './rate-charge.js';
export { ROUNDING_MODE, toMoney } from './money.js';
export type { RatingInput, RatingLine, RatingLineKind, RatingResult } from './rating.js';
