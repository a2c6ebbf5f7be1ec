import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { recordAudit } from '../audit/index.js';
import type { PostingBody } from '../connectors/index.js';
import { listAttempts } from './attempt-repository.js';
import { listTargetStates } from './target-repository.js';
import type { Posting, PostingAttempt } from './outbox.js';
import { findPosting, findPostingsBy, type PostingFilter } from './posting-queries.js';
import { cancelPosting, lockPosting, requeuePosting } from './posting-repository.js';
import { isPostingId } from './posting-filter.js';

export interface PostingsDependencies {
  db: Database;
  clock: Clock;
  /**
   * Renders a posting's document again from the current catalog (a fixed account mapping takes effect
   * on retry); undefined keeps the stored body.
   */
  render?: (posting: Posting) => Promise<PostingBody | undefined>;
}

/** Longest cancel reason kept (it is audited and shown). */
const MAX_REASON = 1000;

/** Operating the postings: the dead-letter queue's list, detail, retry and cancel (audited). */
export function createPostings({ db, clock, render }: PostingsDependencies) {
  async function get(id: string): Promise<{ posting: Posting; attempts: PostingAttempt[] }> {
    const posting = isPostingId(id) ? await findPosting(db, id) : undefined;
    if (!posting) throw new NotFoundError(`there is no posting ${id}`);
    return { posting, attempts: await listAttempts(db, id) };
  }

  return {
    list: (filter: PostingFilter, limit: number) => findPostingsBy(db, { ...filter, limit }),
    /** Every target's shared delivery state: breaker, cap, rate slot. */
    targets: () => listTargetStates(db),
    get,
    /** A dead posting goes back in line (read back first, so a late success is adopted, not repeated). */
    async retry(id: string, actor: string): Promise<Posting> {
      const before = isPostingId(id) ? await findPosting(db, id) : undefined;
      if (!before) throw new NotFoundError(`there is no posting ${id}`);
      if (before.status !== 'dead')
        throw new ConflictError(`posting ${id} is ${before.status}; only a dead posting can be retried`);
      // Rendered before the transaction: rendering reads the catalog and documents, which on the embedded
      // store's single connection must not wait behind a transaction of its own.
      const body = render ? await render(before) : undefined;
      await db.transaction(async (tx) => {
        const posting = await lockPosting(tx, id);
        if (posting?.status !== 'dead')
          throw new ConflictError(`posting ${id} is ${posting?.status ?? 'gone'}; only a dead posting can be retried`);
        const now = clock.now();
        await requeuePosting(tx, id, body, now);
        await recordAudit(tx, now, [
          { actor, action: 'posting.retry', target: `posting:${id}`, detail: { externalId: posting.externalId } },
        ]);
      });
      return (await get(id)).posting;
    },
    /** Gives up on a posting that is not delivered: it is never sent again. */
    async cancel(id: string, reason: string | undefined, actor: string): Promise<Posting> {
      const why = reason?.trim() ?? '';
      if (why.length === 0 || why.length > MAX_REASON)
        throw new ValidationError('a cancel needs a reason', [
          { path: '/reason', message: `is required: 1-${MAX_REASON} characters saying why` },
        ]);
      await db.transaction(async (tx) => {
        const posting = isPostingId(id) ? await lockPosting(tx, id) : undefined;
        if (!posting) throw new NotFoundError(`there is no posting ${id}`);
        if (!['pending', 'retrying', 'dead'].includes(posting.status))
          throw new ConflictError(
            `posting ${id} is ${posting.status}; only a pending, retrying or dead posting can be cancelled`,
          );
        const now = clock.now();
        await cancelPosting(tx, id, why, now);
        await recordAudit(tx, now, [
          {
            actor,
            action: 'posting.cancel',
            target: `posting:${id}`,
            detail: { externalId: posting.externalId, reason: why },
          },
        ]);
      });
      return (await get(id)).posting;
    },
  };
}

export type Postings = ReturnType<typeof createPostings>;
