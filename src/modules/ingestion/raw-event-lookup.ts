import type { Queryable } from '../../platform/database/database.js';
import { iso, type Timestamp } from '../../platform/database/row-timestamp.js';

/** A raw event's identity and place in the log, without its data: what lineage starts from. */
export interface RawEventIdentity {
  seq: string;
  /** The inserting transaction: with seq, the event's position for stage cursors. */
  txId: string;
  source: string;
  id: string;
  type: string;
  subject: string | null;
  time: string;
  receivedAt: string;
}

interface RawEventIdentityRow {
  seq: string;
  tx_id: string;
  source: string;
  id: string;
  type: string;
  subject: string | null;
  time: Timestamp;
  received_at: Timestamp;
}

const fromRowRawEventIdentity = (row: RawEventIdentityRow): RawEventIdentity => ({
  seq: row.seq,
  txId: row.tx_id,
  source: row.source,
  id: row.id,
  type: row.type,
  subject: row.subject,
  time: iso(row.time),
  receivedAt: iso(row.received_at),
});

/** The event stored under `(source, id)` (the dedup key, so at most one), or undefined. */
export async function findRawEventIdentity(
  db: Queryable,
  source: string,
  id: string,
): Promise<RawEventIdentity | undefined> {
  const result = await db.query<RawEventIdentityRow>(
    `select seq::text, tx_id::text, source, id, type, subject, time, received_at
       from raw_events where source = $1 and id = $2`,
    [source, id],
  );
  const row = result.rows[0];
  return row && fromRowRawEventIdentity(row);
}
