export { rateCharge } from './rate-charge.js';
export type { RatingInput, RatingLine, RatingLineKind, RatingResult } from './rating.js';
export { reRate, type AlreadyBilled } from './re-rate.js';
