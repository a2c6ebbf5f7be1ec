import type { Database } from '../../platform/database/database.js';
import type { TargetLimits } from '../connectors/index.js';
import { reserveSlots } from './delivery-policy.js';
import { countInFlight } from './posting-repository.js';
import { lockTargetState, saveTargetState } from './target-repository.js';

// A request another module sends to a target outside a delivery (reconciliation reading it back) takes a
// slot of the target's rate and one of its places like a delivery does, from the same shared state, so
// that deliveries and reads together stay within the target's limits across every process. The place is
// held from the slot for a few seconds (the time a read takes), renewed by the next request, and given
// back when the read ends; the dispatcher counts it as a posting in flight.

/** How long a read's place is held from its slot: the time one read request takes, with room. */
const READ_HOLD_MS = 5_000;

/** When the read may go; undefined when every place is taken (ask again shortly). */
export async function reserveReadSlot(
  db: Database,
  targetKey: string,
  limits: TargetLimits,
  now: Date,
): Promise<Date | undefined> {
  return db.transaction(async (tx) => {
    const state = await lockTargetState(tx, targetKey, limits.concurrency, now);
    // This read's own earlier hold is released first: it is the same place, taken again.
    await tx.query(`update posting_targets set reading_until = null where target_key = $1`, [targetKey]);
    if ((await countInFlight(tx, targetKey, now)) >= state.concurrencyCap) return undefined;
    const slots = reserveSlots(state, 1, limits, now);
    const sendAt = slots.sendAt[0] ?? now;
    await saveTargetState(tx, slots.state, now);
    await tx.query(`update posting_targets set reading_until = $2 where target_key = $1`, [
      targetKey,
      new Date(sendAt.getTime() + READ_HOLD_MS),
    ]);
    return sendAt;
  });
}

/** Gives back the place a read held. */
export async function releaseReadPlace(db: Database, targetKey: string): Promise<void> {
  await db.query(`update posting_targets set reading_until = null where target_key = $1`, [targetKey]);
}
