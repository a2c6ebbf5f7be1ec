import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import type { Connector, HeldDocument, PostingBody, TargetLimits } from '../../src/modules/connectors/index.js';
import {
  createDispatcher,
  createPostings,
  enqueue,
  listAttempts,
  type PostingAttempt,
  type PostingStatus,
} from '../../src/modules/outbox/index.js';
import { placeDifferences, sentLines, sentTotal } from '../../src/modules/reconciliation/index.js';
import { ManualClock } from '../../src/platform/clock.js';
import type { Database } from '../../src/platform/database/database.js';
import { migrate } from '../../src/platform/database/migrate.js';
import { describeEachStore } from '../harness/stores.js';
import type { ConformanceTarget, RunningEmulator } from './conformance-target.js';

// The one suite every connector passes, against its own emulator, on both stores: whatever the target
// does (a 429 storm, an outage, answers lost after commit, a dispatcher killed mid-delivery, two
// dispatchers at once, a document it refuses), it ends up holding each posting exactly once, balanced,
// with Meterbridge's amounts to the cent. Each target is a file in ./targets exporting `conformanceTarget`.

const TARGETS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'targets');
const TARGETS: ConformanceTarget[] = await Promise.all(
  readdirSync(TARGETS_DIR)
    .filter((file) => file.endsWith('.ts'))
    .sort()
    .map(
      async (file) =>
        ((await import(join(TARGETS_DIR, file))) as { conformanceTarget: ConformanceTarget }).conformanceTarget,
    ),
);
const WIDE: TargetLimits = { requestsPerSecond: 1000, concurrency: 4 };

for (const subject of TARGETS) {
  describeEachStore(`the ${subject.kind} connector's conformance`, (stores) => {
    let db: Database;
    let emulator: RunningEmulator;
    let connector: Connector;
    const clock = new ManualClock('2026-11-01T00:00:00Z');
    const useLimits = (limits: TargetLimits) => {
      connector = subject.connector(emulator.target(limits), emulator.secrets);
    };

    beforeEach(async () => {
      db = await stores.fresh();
      await migrate(db);
      emulator = await subject.start();
      useLimits(WIDE);
    });
    afterEach(() => emulator.close());

    const dispatcher = (store = db) =>
      createDispatcher({ db: store, clock, connectorFor: () => connector, requestTimeoutMs: 5000 });
    const enqueueAll = (bodies: readonly PostingBody[]) =>
      db.transaction((tx) =>
        enqueue(tx, {
          topic: 'conformance',
          key: subject.kind,
          payload: {},
          createdAt: clock.now(),
          postings: bodies.map((body) => ({
            targetKey: 'conformance',
            externalId: body.externalId,
            kind: body.type,
            subject: `conformance:${body.externalId}`,
            period: '2026-10',
            body,
          })),
        }),
      );
    const postings = (statuses?: PostingStatus[]) => createPostings({ db, clock }).list({ statuses }, 1000);
    const attempts = async (): Promise<PostingAttempt[]> =>
      (await Promise.all((await postings()).map((one) => listAttempts(db, one.id)))).flat();
    const classes = async () =>
      (await attempts()).reduce<Record<string, number>>((counts, attempt) => {
        const key = attempt.failureClass ?? attempt.outcome;
        counts[key] = (counts[key] ?? 0) + 1;
        return counts;
      }, {});

    /** Runs passes, moving the clock past every backoff and lease, until nothing is left to deliver. */
    async function drain(passes = 120): Promise<void> {
      const run = dispatcher();
      for (let pass = 0; pass < passes; pass += 1) {
        await run.runOnce();
        if ((await postings(['pending', 'retrying', 'in_flight'])).length === 0) return;
        clock.advance(10 * 60_000);
      }
    }

    /** The target holds each body once, balanced, with their totals to the cent, and nothing else. */
    async function expectHeld(bodies: readonly PostingBody[]): Promise<void> {
      const held = await emulator.held();
      expect([...held.documentsPerExternalId.keys()].sort()).toEqual(bodies.map((body) => body.externalId).sort());
      expect([...held.documentsPerExternalId.values()].every((count) => count === 1)).toBe(true);
      expect(held.unbalanced).toEqual([]);
      expect(held.totals).toEqual(subject.expectedTotals(bodies));
      expect(await postings(['delivered'])).toHaveLength(bodies.length);
    }

    it('waits out a 429 storm and delivers every posting once, to the cent', async () => {
      emulator.setFaults({ concurrency: 1, latencyMs: 15 });
      useLimits({ requestsPerSecond: 1000, concurrency: 8 });
      const bodies = subject.bodies(24);
      await enqueueAll(bodies);
      await drain();
      await expectHeld(bodies);
      expect((await classes()).throttled).toBeGreaterThan(0);
      expect(emulator.counts().throttled).toBeGreaterThan(0);
    });

    it('rides out an outage (the vendor’s 503, then refused connections) in the middle of a period', async () => {
      const bodies = subject.bodies(16);
      await enqueueAll(bodies);
      const run = dispatcher();
      await run.runOnce();
      for (const outage of ['unavailable', 'refuse'] as const) {
        emulator.setFaults({ outage });
        for (let pass = 0; pass < 3; pass += 1) {
          clock.advance(10 * 60_000);
          await run.runOnce();
        }
      }
      emulator.setFaults({});
      await drain();
      await expectHeld(bodies);
      const seen = await classes();
      expect((seen.unknown_outcome ?? 0) + (seen.unavailable ?? 0)).toBeGreaterThan(0);
    });

    it('adopts what was committed before the answer was lost (10% of writes dropped)', async () => {
      emulator.setFaults({ dropAfterCommitRate: 0.1 });
      const bodies = subject.bodies(40);
      await enqueueAll(bodies);
      await drain();
      await expectHeld(bodies);
      expect(emulator.counts().droppedAfterCommit).toBeGreaterThan(0);
      expect((await classes()).unknown_outcome).toBeGreaterThan(0);
    });

    it('takes over from a dispatcher killed between sending and recording, and sends nothing twice', async () => {
      const bodies = subject.bodies(6);
      await enqueueAll(bodies);
      // The killed process: it claims (the target's cap) and sends, and then does nothing more, ever.
      let finished = 0;
      const sending: Connector = {
        ...connector,
        deliver: (body, signal) => connector.deliver(body, signal).finally(() => (finished += 1)),
      };
      void createDispatcher({ db: frozenAfterClaim(db), clock, connectorFor: () => sending }).runOnce();
      for (let wait = 0; wait < 1000 && finished < WIDE.concurrency; wait += 1) await sleep(10);
      expect(finished).toBe(WIDE.concurrency);
      expect(await postings(['in_flight'])).toHaveLength(WIDE.concurrency);
      clock.advance(60 * 60_000); // its leases lapse
      await drain();
      await expectHeld(bodies);
      expect((await classes()).adopted).toBe(WIDE.concurrency);
    });

    it('delivers each posting once when two dispatchers run at once', async () => {
      const bodies = subject.bodies(20);
      await enqueueAll(bodies);
      const [first, second] = [dispatcher(), dispatcher()];
      for (let pass = 0; pass < 40 && (await postings(['delivered'])).length < bodies.length; pass += 1) {
        await Promise.all([first.runOnce(), second.runOnce()]);
        clock.advance(10 * 60_000);
      }
      await expectHeld(bodies);
    });

    it('reads back the id, the total and the lines it holds, lists each document once, and shows edits and copies made by hand', async () => {
      const bodies = subject.bodies(5);
      await enqueueAll(bodies);
      await drain();
      await expectHeld(bodies);
      const delivered = new Map((await postings(['delivered'])).map((one) => [one.externalId, one.targetDocumentId]));
      const signal = () => AbortSignal.timeout(10_000);
      const expectAsSent = (body: PostingBody, held: HeldDocument | undefined) => {
        expect(held?.id).toBe(delivered.get(body.externalId));
        expect(held?.total).toBeDefined();
        expect(new Decimal(held!.total!).equals(sentTotal(body)!)).toBe(true);
        expect(placeDifferences(sentLines(body)!, held?.lines ?? [])).toEqual([]);
      };
      for (const body of bodies) expectAsSent(body, await connector.find(body, signal()));
      if (connector.findMany) {
        const found = await connector.findMany(bodies, signal());
        for (const body of bodies) expectAsSent(body, found.get(body.externalId));
      }

      // Every document once, under its external id, as the read-back has it.
      expect(connector.listHeld).toBeDefined();
      const range = listingRange(bodies);
      const listed = await connector.listHeld!(range, signal());
      for (const body of bodies) {
        const mine = listed.filter((document) => document.externalId === body.externalId);
        expect(mine.map((document) => document.id)).toEqual([delivered.get(body.externalId)]);
        expect(new Decimal(mine[0]!.total ?? NaN).equals(sentTotal(body)!)).toBe(true);
      }

      // A copy made by hand is listed beside the original; an amount moved by hand shows in the lines.
      await emulator.copyByHand(bodies[0]!.externalId);
      const relisted = await connector.listHeld!(range, signal());
      expect(relisted.filter((document) => document.externalId === bodies[0]!.externalId)).toHaveLength(2);
      await emulator.moveByHand(bodies[1]!.externalId);
      const moved = await connector.find(bodies[1]!, signal());
      expect(new Decimal(moved!.total!).equals(sentTotal(bodies[1]!)!)).toBe(true);
      expect(placeDifferences(sentLines(bodies[1]!)!, moved?.lines ?? []).length).toBeGreaterThan(0);
    });

    it('dead-letters a document the target refuses, with its own words, and delivers it once fixed', async () => {
      const { wrong, fixed, refusal, attempt } = subject.invalid();
      await enqueueAll([wrong]);
      await drain(3);
      const [dead] = await postings(['dead']);
      expect(dead).toBeDefined();
      const failures = (await listAttempts(db, dead!.id)).filter((attempt) => attempt.outcome === 'failed');
      expect(failures.at(-1)).toMatchObject({ failureClass: 'invalid', ...attempt });
      expect(failures.at(-1)?.targetText).toMatch(refusal);
      await createPostings({ db, clock, render: async () => fixed }).retry(dead!.id, 'ops');
      await drain();
      await expectHeld([fixed]);
    });
  });
}

/** The dates a listing must cover to hold every body: from the earliest body's date to today or later. */
function listingRange(bodies: readonly PostingBody[]): { from: string; to: string } {
  const today = new Date().toISOString().slice(0, 10);
  const dates = bodies.flatMap((body) =>
    body.type === 'journal' ? [body.postingDate] : 'documentDate' in body ? [body.documentDate] : [],
  );
  const sorted = [...dates, today].sort();
  return { from: sorted[0]!, to: sorted.at(-1)! };
}

/** The store of a process killed right after its claim: every later transaction waits forever. */
function frozenAfterClaim(db: Database): Database {
  let transactions = 0;
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'transaction') return Reflect.get(target, property, receiver) as unknown;
      return <T>(work: Parameters<Database['transaction']>[0]): Promise<T> => {
        transactions += 1;
        return transactions > 1 ? new Promise<T>(() => {}) : (target.transaction(work) as Promise<T>);
      };
    },
  });
}
