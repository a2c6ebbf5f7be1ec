import type { Queryable } from '../../platform/database/database.js';

// The repairs reconciliation may make on its own, each in the caller's transaction (which audits it):
// both only put a posting back in line, and the dispatcher's read-back before sending keeps either from
// making a second document.

/**
 * A delivered posting the target no longer holds goes back in line, read back first: true when it was
 * delivered (and now is pending), false when it is in any other state.
 */
export async function requeueMissingPosting(tx: Queryable, id: string, now: Date): Promise<boolean> {
  const result = await tx.query(
    `update postings set status = 'pending', needs_lookup = true, next_attempt_at = $2, updated_at = $2,
            delivered_at = null
      where id = $1 and status = 'delivered'`,
    [id, now],
  );
  return result.rowCount > 0;
}

/** A pending or retrying posting is made due now (its backoff skipped): true when it was open. */
export async function expeditePosting(tx: Queryable, id: string, now: Date): Promise<boolean> {
  const result = await tx.query(
    `update postings set next_attempt_at = $2, updated_at = $2 where id = $1 and status in ('pending', 'retrying')`,
    [id, now],
  );
  return result.rowCount > 0;
}
