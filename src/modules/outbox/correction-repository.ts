import type { Queryable } from '../../platform/database/database.js';
import { lockOpenGroupPosting } from './posting-repository.js';

/** The journal posting that carries a document's lines and has not reached its target yet. */
export interface UndeliveredHolder {
  id: string;
  externalId: string;
  groupKey: string | null;
}

interface UndeliveredHolderRow {
  id: string;
  external_id: string;
  group_key: string | null;
}

const fromRowUndeliveredHolder = (row: UndeliveredHolderRow): UndeliveredHolder => ({
  id: row.id,
  externalId: row.external_id,
  groupKey: row.group_key,
});

/**
 * The earliest journal posting of a target whose lines reference the invoice and that is not delivered
 * (pending, in flight, retrying or dead), or undefined: a correction of that invoice must wait for it. A
 * cancelled posting holds nothing back, since an operator gave it up. Not locked: one delivered meanwhile
 * only makes the correction that waits for it claimable at once.
 */
export async function findUndeliveredHolder(
  tx: Queryable,
  targetKey: string,
  invoiceId: string,
): Promise<UndeliveredHolder | undefined> {
  // Containment on the lines' references works alike on PGlite and PostgreSQL; only undelivered postings
  // are scanned (postings_by_status), and they stay few.
  const result = await tx.query<UndeliveredHolderRow>(
    `select postings.id::text, external_id, group_key
       from postings
      where target_key = $1 and kind = 'journal' and status in ('pending', 'in_flight', 'retrying', 'dead')
        and body->'lines' @> $2::jsonb
      order by postings.id
      limit 1`,
    [targetKey, JSON.stringify([{ references: [{ invoiceId }] }])],
  );
  const row = result.rows[0];
  return row && fromRowUndeliveredHolder(row);
}

/**
 * True when the holder is its group's open posting (never claimed), now locked until the caller's
 * transaction ends, so a change added to the group lands in it and no dispatcher claims it first.
 * The group's lock is taken before the row's, in the order `collect` takes them, so the two never
 * wait on each other.
 */
export async function lockOpenHolder(tx: Queryable, targetKey: string, holder: UndeliveredHolder): Promise<boolean> {
  if (holder.groupKey === null) return false;
  const open = await lockOpenGroupPosting(tx, targetKey, holder.groupKey);
  return open?.id === holder.id;
}
