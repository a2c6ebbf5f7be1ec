import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../platform/clock.js';
import type { Database, Queryable } from '../../platform/database/database.js';
import { DeliveryFailure, type Connector } from '../connectors/index.js';
import { insertAttempt } from './attempt-repository.js';
import {
  afterFailure,
  afterSuccess,
  afterTargetFailure,
  claimCapacity,
  fairShare,
  noteWaiting,
  reserveSlots,
} from './delivery-policy.js';
import type { Posting } from './outbox.js';
import {
  countInFlight,
  findTargetsWithWork,
  firstAttemptAt,
  lockClaimable,
  markClaimed,
  settleDelivered,
  settleFailed,
} from './posting-repository.js';
import { lockTargetState, saveTargetState } from './target-repository.js';
import type { DeliveryObserver } from './posting-metrics.js';
import { createBackgroundDeliveries } from './background-deliveries.js';

export interface DispatcherDependencies {
  db: Database;
  clock: Clock;
  /** The connector of a target key, built from the current catalog; undefined when no target has the key. */
  connectorFor: (targetKey: string) => Connector | undefined | Promise<Connector | undefined>;
  /** Names this dispatcher's claims (a process may run one); random by default. */
  id?: string;
  /** How long one delivery may take before its outcome counts as unknown, unless its connector says. */
  requestTimeoutMs?: number;
  observer?: DeliveryObserver;
  /** Told of each delivery in the transaction that records it (billing notes which invoices a ledger holds). */
  onDelivered?: (tx: Queryable, posting: Posting, at: Date) => Promise<void>;
}

/** How soon a dispatcher that found a target's cap full asks again (and as much again at random). */
const WAITING_POLL_MS = 100;

export interface DispatchSummary {
  delivered: number;
  adopted: number;
  failed: number;
  dead: number;
}

interface Claim {
  posting: Posting;
  sendAt: Date;
  connector: Connector;
}

/**
 * Delivers due postings: per target, claims what its breaker, concurrency cap and rate limit allow (the
 * target's state row is locked meanwhile, so every dispatcher process shares them), sends each at its
 * slot, and settles the outcome by the one policy. A posting whose earlier outcome is unknown is read
 * back from the target first and adopted if the target holds it: never a second document.
 */
export function createDispatcher({
  db,
  clock,
  connectorFor,
  id = randomUUID(),
  requestTimeoutMs = 30_000,
  observer,
  onDelivered,
}: DispatcherDependencies) {
  const timeoutOf = (connector: Connector) => connector.deliveryTimeoutMs ?? requestTimeoutMs;
  const background = createBackgroundDeliveries();
  /** Each target's cap as last seen: a process already delivering that many needs no claim to know it is full. */
  const lastCap = new Map<string, number>();
  const running: DispatchSummary = emptySummary();

  /** Claims what the target allows; `waiting` when its cap was full (another process holds every place). */
  async function claim(targetKey: string, connector: Connector): Promise<{ claims: Claim[]; waiting: boolean }> {
    const { limits } = connector.target;
    return db.transaction(async (tx) => {
      const now = clock.now();
      const locked = await lockTargetState(tx, targetKey, limits.concurrency, now);
      lastCap.set(targetKey, locked.concurrencyCap);
      const claimable = claimCapacity(locked, await countInFlight(tx, targetKey, now), now);
      const capacity = fairShare(claimable.state, claimable.capacity, id, background.of(targetKey), now);
      const waiting = claimable.capacity === 0 && claimable.state.breaker === 'closed';
      const state = noteWaiting(claimable.state, id, !waiting, now);
      const postings = await lockClaimable(tx, targetKey, now, capacity);
      if (postings.length === 0) {
        await saveTargetState(tx, state, now);
        return { claims: [], waiting };
      }
      for (const posting of postings.filter((candidate) => candidate.status === 'in_flight')) {
        await insertAttempt(tx, {
          postingId: posting.id,
          attempt: posting.attempts,
          startedAt: new Date(posting.updatedAt),
          finishedAt: now,
          outcome: 'failed',
          failureClass: 'unknown_outcome',
          message:
            'the dispatcher that claimed it stopped before it recorded an outcome; the target is read back first',
        });
      }
      const slots = reserveSlots(state, postings.length, limits, now);
      const lastSlot = slots.sendAt.at(-1) ?? now;
      await markClaimed(
        tx,
        postings.map((posting) => posting.id),
        id,
        now,
        new Date(lastSlot.getTime() + 2 * timeoutOf(connector)),
      );
      await saveTargetState(tx, slots.state, now);
      const claims = postings.map((posting, index) => ({
        posting: {
          ...posting,
          attempts: posting.attempts + 1,
          needsLookup: posting.needsLookup || posting.status === 'in_flight',
        },
        sendAt: slots.sendAt[index] ?? now,
        connector,
      }));
      return { claims, waiting: false };
    });
  }

  /** When an earlier attempt of the posting began, for targets whose keys expire; undefined on its first. */
  async function earlierAttemptAt(posting: Posting): Promise<Date | undefined> {
    return posting.attempts > 1 ? firstAttemptAt(db, posting.id) : undefined;
  }

  async function deliver({ posting, sendAt, connector }: Claim, summary: DispatchSummary): Promise<void> {
    const wait = sendAt.getTime() - clock.now().getTime();
    if (wait > 0) await sleep(wait);
    const startedAt = clock.now();
    const signal = AbortSignal.timeout(timeoutOf(connector));
    try {
      const context = { queuedAt: new Date(posting.createdAt), firstAttemptAt: await earlierAttemptAt(posting) };
      const found = posting.needsLookup ? await connector.find(posting.body, signal, context) : undefined;
      const document = found ?? (await connector.deliver(posting.body, signal, context));
      const outcome = found ? 'adopted' : 'delivered';
      await settleSuccess(posting, connector, document.id, outcome, startedAt);
      summary[outcome] += 1;
      const latencySeconds = (clock.now().getTime() - new Date(posting.createdAt).getTime()) / 1000;
      observer?.settled({ targetKey: posting.targetKey, outcome, latencySeconds });
    } catch (error) {
      // Anything but a classified failure may have happened after the request left: read back next time.
      const failure =
        error instanceof DeliveryFailure
          ? error
          : new DeliveryFailure('unknown_outcome', error instanceof Error ? error.message : String(error));
      const dead = await settleFailure(posting, connector, failure, startedAt);
      summary[dead ? 'dead' : 'failed'] += 1;
      observer?.settled({
        targetKey: posting.targetKey,
        outcome: dead ? 'dead' : 'failed',
        failureClass: failure.failureClass,
        statusCode: failure.detail.status,
      });
    }
  }

  async function settleSuccess(
    posting: Posting,
    connector: Connector,
    documentId: string,
    outcome: 'delivered' | 'adopted',
    startedAt: Date,
  ): Promise<void> {
    await db.transaction(async (tx) => {
      const now = clock.now();
      if (!(await settleDelivered(tx, posting.id, id, documentId, now))) return;
      await onDelivered?.(tx, posting, now);
      await insertAttempt(tx, {
        postingId: posting.id,
        attempt: posting.attempts,
        startedAt,
        finishedAt: now,
        outcome,
      });
      const { target } = connector;
      const state = await lockTargetState(tx, target.key, target.limits.concurrency, now);
      await saveTargetState(tx, afterSuccess(state, target.limits), now);
    });
  }

  async function settleFailure(
    posting: Posting,
    connector: Connector,
    failure: DeliveryFailure,
    startedAt: Date,
  ): Promise<boolean> {
    return db.transaction(async (tx) => {
      const now = clock.now();
      const since = (await firstAttemptAt(tx, posting.id)) ?? startedAt;
      const { retryAfterMs } = failure.detail;
      const outcome = afterFailure(failure.failureClass, posting.attempts, since, now, retryAfterMs);
      if (!(await settleFailed(tx, posting.id, id, outcome, now))) return false;
      await insertAttempt(tx, {
        postingId: posting.id,
        attempt: posting.attempts,
        startedAt,
        finishedAt: now,
        outcome: 'failed',
        failureClass: failure.failureClass,
        message: failure.message,
        targetText: failure.detail.targetText,
        statusCode: failure.detail.status,
        errorCode: failure.detail.code,
        errorPath: failure.detail.path,
      });
      const { target } = connector;
      const state = await lockTargetState(tx, target.key, target.limits.concurrency, now);
      await saveTargetState(
        tx,
        afterTargetFailure(state, failure.failureClass, now, target.limits, failure.detail),
        now,
      );
      return outcome.status === 'dead';
    });
  }

  /**
   * Claims for every target with due work and starts each claim; answers how many were claimed, and
   * whether a target's cap was full (other processes hold every place: worth asking again soon).
   */
  async function claimAll(
    start: (claim: Claim) => void,
    skip: (targetKey: string) => boolean,
  ): Promise<{ claimed: number; waiting: boolean }> {
    let claimed = 0;
    let waiting = false;
    const targets = await findTargetsWithWork(db, clock.now());
    await Promise.all(
      targets.map(async (targetKey) => {
        if (skip(targetKey)) return;
        const connector = await connectorFor(targetKey);
        // A target no longer in the catalog: its postings wait, listed, until it is back or they are cancelled.
        if (!connector) return;
        const outcome = await claim(targetKey, connector);
        claimed += outcome.claims.length;
        waiting ||= outcome.waiting;
        outcome.claims.forEach(start);
      }),
    );
    return { claimed, waiting };
  }

  return {
    id,
    /** One pass over every target with due postings; resolves once each claimed posting has settled. */
    async runOnce(): Promise<DispatchSummary> {
      const summary = emptySummary();
      const deliveries: Promise<void>[] = [];
      await claimAll(
        (one) => deliveries.push(deliver(one, summary)),
        () => false,
      );
      await Promise.all(deliveries);
      return summary;
    },
    /**
     * The worker's step: claims what each target's limits allow beside what this dispatcher is already
     * delivering, starts those deliveries without waiting for them, then waits until one settles (or
     * `waitMs`). Claims stay outstanding across steps, so the target never idles between batches: a slot
     * freed by a settled delivery is claimed again at once, at the rate's next slot. A target whose cap
     * other processes fill is asked again within WAITING_POLL_MS (they leave this one a place meanwhile).
     * Answers false when there was nothing to claim and nothing is in flight: the worker may rest.
     */
    async advance(waitMs: number): Promise<boolean> {
      background.rethrowFailure();
      const { claimed, waiting } = await claimAll(
        (one) => background.start(one.posting.targetKey, deliver(one, running)),
        (targetKey) => background.of(targetKey) >= (lastCap.get(targetKey) ?? Infinity),
      );
      if (claimed === 0 && background.size === 0) {
        if (!waiting) return false;
        await sleep(Math.min(waitMs, WAITING_POLL_MS * (1 + Math.random())));
        return true;
      }
      await background.nextSettle(waitMs);
      return true;
    },
    /** What `advance`'s deliveries settled since the last call. */
    takeSummary(): DispatchSummary {
      const taken = { ...running };
      Object.assign(running, emptySummary());
      return taken;
    },
    /** Waits for every delivery `advance` started: a graceful stop leaves nothing in flight. */
    drain: () => background.drain(),
  };
}

function emptySummary(): DispatchSummary {
  return { delivered: 0, adopted: 0, failed: 0, dead: 0 };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
