/**
 * A message announcing a state change to the world outside (an ERP, a billing platform, a webhook).
 * It is written in the transaction of the change it announces, so it exists exactly when the change
 * does; a dispatcher delivers it at least once after the commit, and receivers deduplicate by `key`.
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
}
