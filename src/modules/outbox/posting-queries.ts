import type { Queryable } from '../../platform/database/database.js';
import type { Timestamp } from '../../platform/database/row-timestamp.js';
import type { Posting, PostingStatus } from './outbox.js';
import { fromRowPosting, POSTING_COLUMNS, type PostingRow } from './posting-repository.js';

export interface PostingFilter {
  statuses?: readonly PostingStatus[];
  targetKey?: string;
  period?: string;
  /** Only postings created at or after this instant. */
  createdFrom?: Date;
  /** Only ids after this one (paging). */
  afterId?: string;
  limit?: number;
}

/** Postings matching the filter, in id order. */
export async function findPostingsBy(db: Queryable, filter: PostingFilter): Promise<Posting[]> {
  const result = await db.query<PostingRow>(
    `select ${POSTING_COLUMNS} from postings
      where ($1::text[] is null or status = any($1)) and ($2::text is null or target_key = $2)
        and ($3::text is null or period = $3) and ($4::bigint is null or postings.id > $4)
        and ($6::timestamptz is null or created_at >= $6)
      order by postings.id limit $5`,
    [
      filter.statuses ?? null,
      filter.targetKey ?? null,
      filter.period ?? null,
      filter.afterId ?? null,
      filter.limit ?? 1000,
      filter.createdFrom ?? null,
    ],
  );
  return result.rows.map(fromRowPosting);
}

export async function findPosting(db: Queryable, id: string): Promise<Posting | undefined> {
  const result = await db.query<PostingRow>(`select ${POSTING_COLUMNS} from postings where postings.id = $1`, [id]);
  const row = result.rows[0];
  return row && fromRowPosting(row);
}

export interface OpenPostingCount {
  targetKey: string;
  status: PostingStatus;
  count: number;
  /** The oldest posting's creation time in the group. */
  oldest: Date | null;
}

/** Postings not delivered nor cancelled, by target and status, with the oldest of each. */
export async function countOpenPostings(db: Queryable): Promise<OpenPostingCount[]> {
  const result = await db.query<{
    target_key: string;
    status: PostingStatus;
    n: number | string;
    oldest: Timestamp | null;
  }>(
    `select target_key, status, count(*) as n, min(created_at) as oldest from postings
      where status in ('pending', 'in_flight', 'retrying', 'dead')
      group by target_key, status order by target_key, status`,
  );
  return result.rows.map((row) => ({
    targetKey: row.target_key,
    status: row.status,
    count: Number(row.n),
    oldest: row.oldest ? new Date(row.oldest) : null,
  }));
}

/** Postings delivered in [start, end) that carry documents (accruals and their reversals left out). */
export async function findDeliveredBetween(
  db: Queryable,
  window: { start: Date; end: Date },
): Promise<{ id: string; deliveredAt: Date }[]> {
  const result = await db.query<{ id: string; delivered_at: Timestamp }>(
    `select id::text as id, delivered_at from postings
      where status = 'delivered' and delivered_at >= $1 and delivered_at < $2 and kind not in ('accrual', 'reversal')
      order by id`,
    [window.start, window.end],
  );
  return result.rows.map((row) => ({ id: row.id, deliveredAt: new Date(row.delivered_at) }));
}

/** Which of these external ids a target has a posting for (in any state). */
export async function findKnownExternalIds(
  db: Queryable,
  targetKey: string,
  externalIds: readonly string[],
): Promise<Set<string>> {
  if (externalIds.length === 0) return new Set();
  const result = await db.query<{ external_id: string }>(
    `select external_id from postings where target_key = $1 and external_id = any($2::text[])`,
    [targetKey, externalIds],
  );
  return new Set(result.rows.map((row) => row.external_id));
}
