// The outbox module's one public door.
export { enqueue, insertPostingsNow } from './outbox-repository.js';
export { createDispatcher, type Dispatcher, type DispatcherDependencies, type DispatchSummary } from './dispatcher.js';
export { listAttempts } from './attempt-repository.js';
export { listTargetStates, type TargetState, type BreakerState } from './target-repository.js';
export {
  countOpenPostings,
  findDeliveredBetween,
  findKnownExternalIds,
  type OpenPostingCount,
} from './posting-queries.js';
export { FAILURE_RULES, BREAKER_THRESHOLD, BREAKER_COOLDOWN_MS } from './delivery-policy.js';
export {
  POSTING_STATUSES,
  type OutboxMessage,
  type NewPosting,
  type Posting,
  type PostingStatus,
  type PostingAttempt,
} from './outbox.js';
export { createPostings, type Postings, type PostingsDependencies } from './postings-service.js';
export { parsePostingQuery, type PostingParams } from './posting-filter.js';
export type { PostingFilter } from './posting-queries.js';
export { collect, type GroupContribution } from './collect.js';
export { createPostingMetrics, type DeliveryObserver } from './posting-metrics.js';
export { expeditePosting, requeueMissingPosting } from './posting-repairs.js';
export { releaseReadPlace, reserveReadSlot } from './read-slots.js';
export { findUndeliveredHolder, lockOpenHolder, type UndeliveredHolder } from './correction-repository.js';
export { findPostingsCarryingInvoice, findPostingsOfDocument } from './lineage-queries.js';
