import type { FailureClass, PostingBody } from '../connectors/index.js';

/**
 * A message announcing a state change to the world outside (an ERP, a billing platform, a webhook).
 * It is written in the transaction of the change it announces, so it exists exactly when the change
 * does; with it, the postings that deliver it to each target.
 */
export interface OutboxMessage {
  /** What happened: `invoice.finalized`, `invoice.voided`, ... */
  topic: string;
  /** The thing it happened to (an invoice id): with the topic, what a receiver deduplicates on. */
  key: string;
  /** The message body, stored as JSON. */
  payload: unknown;
  /** When the change was made (the transaction's clock reading). */
  createdAt: Date;
  /** One per target the change must reach; none when no target is configured for it. */
  postings?: readonly NewPosting[];
}

export interface NewPosting {
  targetKey: string;
  /** Deterministic and unique per target (the target's own rules: at most 16 of A-Z 0-9 -). */
  externalId: string;
  kind: string;
  /** What the posting is about, for people and filters (`invoice:<id>`). */
  subject: string;
  legalEntity?: string;
  period?: string;
  body: PostingBody;
  /** The external id (same target) of a posting that must be delivered first. */
  after?: string;
}

export const POSTING_STATUSES = ['pending', 'in_flight', 'retrying', 'delivered', 'dead', 'cancelled'] as const;
export type PostingStatus = (typeof POSTING_STATUSES)[number];

export interface Posting {
  id: string;
  targetKey: string;
  externalId: string;
  kind: string;
  subject: string;
  legalEntity: string | null;
  period: string | null;
  body: PostingBody;
  status: PostingStatus;
  dependsOn: string | null;
  attempts: number;
  nextAttemptAt: string;
  needsLookup: boolean;
  targetDocumentId: string | null;
  cancelReason: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

export interface PostingAttempt {
  attempt: number;
  startedAt: string;
  finishedAt: string;
  outcome: 'delivered' | 'adopted' | 'failed';
  failureClass: FailureClass | null;
  message: string | null;
  /** The target's own answer, whole. */
  targetText: string | null;
  statusCode: number | null;
  errorCode: string | null;
  errorPath: string | null;
}
