import type { Queryable } from '../../platform/database/database.js';
import type { PostingBody } from '../connectors/index.js';
import type { NewPosting } from './outbox.js';
import { insertPostings, lastGroupSequence, lockOpenGroupPosting, replaceOpenBody } from './posting-repository.js';

/** A change that goes into a summarizing posting (a day's journal entry) rather than one of its own. */
export interface GroupContribution {
  targetKey: string;
  /** What the posting summarizes, such as entity, currency and posting date. */
  groupKey: string;
  /** When the group's posting may be sent: once the changes it gathers are in. */
  dueAt: Date;
  /**
   * The posting with this change added: to the open posting's body when there is one, else to a new
   * posting of the next sequence (whose external id must then name that sequence).
   */
  build(current: PostingBody | undefined, sequence: number): NewPosting;
}

/**
 * Adds a change to its group's open posting, in the caller's transaction, or starts the group's next
 * posting when the open one has been claimed (it may be on its way): a change is in exactly one posting,
 * and a posting once sent never changes.
 */
export async function collect(tx: Queryable, contribution: GroupContribution, now: Date): Promise<void> {
  const { targetKey, groupKey } = contribution;
  const open = await lockOpenGroupPosting(tx, targetKey, groupKey);
  if (open) {
    await replaceOpenBody(tx, open.id, contribution.build(open.body, open.sequence).body, now);
    return;
  }
  const sequence = (await lastGroupSequence(tx, targetKey, groupKey)) + 1;
  await insertPostings(tx, null, [contribution.build(undefined, sequence)], now, {
    key: groupKey,
    sequence,
    dueAt: contribution.dueAt,
  });
}
