import type { Queryable } from '../../platform/database/database.js';
import type { NewPosting, OutboxMessage } from './outbox.js';
import { insertPostings } from './posting-repository.js';

/**
 * Writes a message, and the postings that deliver it, in the caller's transaction: committed with the
 * change they announce, or rolled back with it. Never call it outside the transaction of that change —
 * a message without its change (or a change without its message) is the lost or phantom side effect the
 * outbox exists to prevent.
 */
export async function enqueue(tx: Queryable, message: OutboxMessage): Promise<void> {
  const inserted = await tx.query<{ id: string }>(
    `insert into outbox (topic, key, payload, created_at) values ($1, $2, $3, $4) returning id::text`,
    [message.topic, message.key, JSON.stringify(message.payload), message.createdAt],
  );
  if (message.postings && message.postings.length > 0)
    await insertPostings(tx, inserted.rows[0]?.id ?? null, message.postings, message.createdAt);
}

/** Postings of a change that announces itself otherwise (no message of its own), in the caller's transaction. */
export async function insertPostingsNow(tx: Queryable, postings: readonly NewPosting[], now: Date): Promise<void> {
  await insertPostings(tx, null, postings, now);
}
