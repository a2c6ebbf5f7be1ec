import type { Queryable } from '../../platform/database/database.js';
import type { OutboxMessage } from './outbox.js';

/**
 * Writes a message in the caller's transaction: committed with the change it announces, or rolled back
 * with it. Never call it outside the transaction of that change — a message without its change (or a
 * change without its message) is the lost or phantom side effect the outbox exists to prevent.
 */
export async function enqueue(tx: Queryable, message: OutboxMessage): Promise<void> {
  await tx.query(`insert into outbox (topic, key, payload, created_at) values ($1, $2, $3, $4)`, [
    message.topic,
    message.key,
    JSON.stringify(message.payload),
    message.createdAt,
  ]);
}
