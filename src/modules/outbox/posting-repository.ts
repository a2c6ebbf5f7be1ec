import type { Queryable } from '../../platform/database/database.js';
import { iso, type Timestamp } from '../../platform/database/row-timestamp.js';
import type { PostingBody } from '../connectors/index.js';
import type { NewPosting, Posting, PostingStatus } from './outbox.js';

export interface PostingRow {
  id: string;
  target_key: string;
  external_id: string;
  kind: string;
  subject: string;
  legal_entity: string | null;
  period: string | null;
  body: PostingBody;
  status: PostingStatus;
  depends_on: string | null;
  attempts: number;
  next_attempt_at: Timestamp;
  needs_lookup: boolean;
  target_document_id: string | null;
  cancel_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  delivered_at: Timestamp | null;
}

export const POSTING_COLUMNS = `postings.id::text, target_key, external_id, kind, subject, legal_entity, period, body, status,
  depends_on::text, attempts, next_attempt_at, needs_lookup, target_document_id, cancel_reason, created_at, updated_at, delivered_at`;

export function fromRowPosting(row: PostingRow): Posting {
  return {
    id: row.id,
    targetKey: row.target_key,
    externalId: row.external_id,
    kind: row.kind,
    subject: row.subject,
    legalEntity: row.legal_entity,
    period: row.period,
    body: row.body,
    status: row.status,
    dependsOn: row.depends_on,
    attempts: Number(row.attempts),
    nextAttemptAt: iso(row.next_attempt_at),
    needsLookup: row.needs_lookup,
    targetDocumentId: row.target_document_id,
    cancelReason: row.cancel_reason,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    deliveredAt: row.delivered_at ? iso(row.delivered_at) : null,
  };
}

/** A summarizing posting's group (see collect.ts): its key, its sequence, and when it falls due. */
export interface PostingGroup {
  key: string;
  sequence: number;
  dueAt: Date;
}

/**
 * Inserts postings in order (a posting may wait for one inserted before it), due at once unless a group
 * says when. A posting whose external id the target already has a posting for is skipped: a replayed
 * change never posts twice.
 */
export async function insertPostings(
  tx: Queryable,
  messageId: string | null,
  postings: readonly NewPosting[],
  now: Date,
  group?: PostingGroup,
): Promise<void> {
  for (const posting of postings) {
    await tx.query(
      `insert into postings (message_id, target_key, external_id, kind, subject, legal_entity, period, body, depends_on,
                             group_key, sequence, next_attempt_at, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb,
               (select id from postings where target_key = $2 and external_id = $9), $10, $11, $12, $13, $13)
       on conflict (target_key, external_id) do nothing`,
      [
        messageId,
        posting.targetKey,
        posting.externalId,
        posting.kind,
        posting.subject,
        posting.legalEntity ?? null,
        posting.period ?? null,
        JSON.stringify(posting.body),
        posting.after ?? null,
        group?.key ?? null,
        group?.sequence ?? 1,
        group?.dueAt ?? now,
        now,
      ],
    );
  }
}

/** Targets with postings due now (or whose claim has lapsed), for the dispatcher to visit. */
export async function findTargetsWithWork(db: Queryable, now: Date): Promise<string[]> {
  const result = await db.query<{ target_key: string }>(
    `select distinct target_key from postings
      where (status in ('pending', 'retrying') and next_attempt_at <= $1) or (status = 'in_flight' and lease_until <= $1)
      order by target_key`,
    [now],
  );
  return result.rows.map((row) => row.target_key);
}

/** Postings of one target the dispatcher may claim: due, with nothing they wait for undelivered. */
export async function lockClaimable(tx: Queryable, targetKey: string, now: Date, limit: number): Promise<Posting[]> {
  if (limit <= 0) return [];
  const result = await tx.query<PostingRow>(
    `select ${POSTING_COLUMNS} from postings
      where target_key = $1
        and ((status in ('pending', 'retrying') and next_attempt_at <= $2) or (status = 'in_flight' and lease_until <= $2))
        and (depends_on is null or exists (select 1 from postings d where d.id = postings.depends_on and d.status = 'delivered'))
      order by postings.id
      limit $3
      for update of postings skip locked`,
    [targetKey, now, limit],
  );
  return result.rows.map(fromRowPosting);
}

/** How many of the target's postings are being delivered under a claim that still holds. */
export async function countInFlight(tx: Queryable, targetKey: string, now: Date): Promise<number> {
  // A read of the target under way (reserveReadSlot) holds a place like a posting in flight.
  const result = await tx.query<{ n: number | string }>(
    `select (select count(*) from postings where target_key = $1 and status = 'in_flight' and lease_until > $2)
          + (select count(*) from posting_targets where target_key = $1 and reading_until > $2) as n`,
    [targetKey, now],
  );
  return Number(result.rows[0]?.n ?? 0);
}

/**
 * Claims postings for one dispatcher until `leaseUntil`: one attempt more each. A posting whose earlier
 * claim lapsed (its dispatcher died mid-delivery) may have reached the target: it is read back first.
 */
export async function markClaimed(
  tx: Queryable,
  ids: readonly string[],
  claimedBy: string,
  now: Date,
  leaseUntil: Date,
): Promise<void> {
  await tx.query(
    `update postings set needs_lookup = needs_lookup or status = 'in_flight', status = 'in_flight', attempts = attempts + 1,
            claimed_by = $2, lease_until = $4, updated_at = $3
      where id = any($1::bigint[])`,
    [ids, claimedBy, now, leaseUntil],
  );
}

/** The claim still holds for this dispatcher: otherwise another has the posting and this outcome is stale. */
export async function settleDelivered(
  tx: Queryable,
  id: string,
  claimedBy: string,
  targetDocumentId: string,
  now: Date,
): Promise<boolean> {
  const result = await tx.query(
    `update postings set status = 'delivered', target_document_id = $3, delivered_at = $4, updated_at = $4,
            lease_until = null, claimed_by = null, needs_lookup = false
      where id = $1 and claimed_by = $2 and status = 'in_flight'`,
    [id, claimedBy, targetDocumentId, now],
  );
  return result.rowCount === 1;
}

export async function settleFailed(
  tx: Queryable,
  id: string,
  claimedBy: string,
  outcome: { status: 'retrying' | 'dead'; nextAttemptAt: Date; needsLookup: boolean },
  now: Date,
): Promise<boolean> {
  const result = await tx.query(
    // needs_lookup stays set once an outcome was unknown: a read-back that failed (throttled, say) proved
    // nothing, and only a delivery clears it.
    `update postings set status = $3, next_attempt_at = $4, needs_lookup = needs_lookup or $5, updated_at = $6,
            lease_until = null, claimed_by = null
      where id = $1 and claimed_by = $2 and status = 'in_flight'`,
    [id, claimedBy, outcome.status, outcome.nextAttemptAt, outcome.needsLookup, now],
  );
  return result.rowCount === 1;
}

/** When the posting's first attempt began: how long it has been trying, for the dead-letter policy. */
export async function firstAttemptAt(tx: Queryable, id: string): Promise<Date | undefined> {
  const result = await tx.query<{ started_at: Timestamp | null }>(
    `select min(started_at) as started_at from posting_attempts where posting_id = $1`,
    [id],
  );
  const started = result.rows[0]?.started_at;
  return started ? new Date(started) : undefined;
}

/** Locks one posting for an operator's change (retry, cancel). */
export async function lockPosting(tx: Queryable, id: string): Promise<Posting | undefined> {
  const result = await tx.query<PostingRow>(
    `select ${POSTING_COLUMNS} from postings where postings.id = $1 for update`,
    [id],
  );
  const row = result.rows[0];
  return row && fromRowPosting(row);
}

/** Puts a dead posting back in line, due now, with a body rendered again when one is given. */
export async function requeuePosting(
  tx: Queryable,
  id: string,
  body: PostingBody | undefined,
  now: Date,
): Promise<void> {
  await tx.query(
    `update postings set status = 'pending', next_attempt_at = $2, updated_at = $2, needs_lookup = true,
            body = coalesce($3::jsonb, body)
      where id = $1`,
    [id, now, body === undefined ? null : JSON.stringify(body)],
  );
}

export async function cancelPosting(tx: Queryable, id: string, reason: string, now: Date): Promise<void> {
  await tx.query(`update postings set status = 'cancelled', cancel_reason = $2, updated_at = $3 where id = $1`, [
    id,
    reason,
    now,
  ]);
}

/** A group's posting still open to more changes (never claimed), locked; or undefined. */
export async function lockOpenGroupPosting(
  tx: Queryable,
  targetKey: string,
  groupKey: string,
): Promise<(Posting & { sequence: number }) | undefined> {
  // Two changes of one group in two transactions would both find no open posting and start the same
  // sequence: the group's lock makes the second wait for the first.
  await tx.query(`select pg_advisory_xact_lock(hashtextextended('postings:' || $1 || ':' || $2, 0))`, [
    targetKey,
    groupKey,
  ]);
  const result = await tx.query<PostingRow & { sequence: number }>(
    `select ${POSTING_COLUMNS}, sequence from postings
      where target_key = $1 and group_key = $2 and status = 'pending' and attempts = 0
      order by sequence desc limit 1 for update`,
    [targetKey, groupKey],
  );
  const row = result.rows[0];
  return row && { ...fromRowPosting(row), sequence: Number(row.sequence) };
}

/** The highest sequence a group has used (0 for a new group). */
export async function lastGroupSequence(tx: Queryable, targetKey: string, groupKey: string): Promise<number> {
  const result = await tx.query<{ sequence: number | null }>(
    `select max(sequence) as sequence from postings where target_key = $1 and group_key = $2`,
    [targetKey, groupKey],
  );
  return Number(result.rows[0]?.sequence ?? 0);
}

export async function replaceOpenBody(tx: Queryable, id: string, body: PostingBody, now: Date): Promise<void> {
  await tx.query(`update postings set body = $2::jsonb, updated_at = $3 where id = $1`, [
    id,
    JSON.stringify(body),
    now,
  ]);
}
