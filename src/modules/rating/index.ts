export { rateCharge } from './rate-charge.js';
export { Exact, ROUNDING_MODE, toMoney } from './money.js';
export type { RatingInput, RatingLine, RatingLineKind, RatingResult } from './rating.js';
export { reRate, type AlreadyBilled } from './re-rate.js';
