import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.js';
import type { ManualClock } from '../../src/platform/clock.js';
import type { Database } from '../../src/platform/database/database.js';
import { openStore } from '../../src/platform/database/open-store.js';
import { AppError } from '../../src/platform/errors.js';
import { llmCatalogYaml, llmFixture, llmRequest } from '../fixtures/llm-catalog.js';
import { describeEachStore } from '../harness/stores.js';
import { billingInvariantViolations } from './billing-invariant-checks.js';

// Random streams of usage (with duplicates and events for periods already finalized) interleaved with
// metering, billing runs, finalize-due, finalizing one draft and catalog changes (price, late policy),
// some of them two at a time; then the periods are closed and every invariant of billed money checked.

type Operation =
  | { op: 'ingest'; events: { day: number; month: 10 | 11 | 12; tokens: number }[]; repeat: number }
  | { op: 'meter' }
  | { op: 'run'; month: 10 | 11 | 12 }
  | { op: 'finalizeDue' }
  | { op: 'finalizeOne'; pick: number }
  | { op: 'catalog'; tokenPrice: string; latePolicy: 'roll_forward' | 'memo' | 'reissue' };

const month = fc.constantFrom(10 as const, 11 as const, 12 as const);
const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('ingest' as const),
      events: fc.array(
        fc.record({ day: fc.integer({ min: 1, max: 28 }), month, tokens: fc.integer({ min: 1, max: 40 }) }),
        { minLength: 1, maxLength: 6 },
      ),
      repeat: fc.nat(3),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ op: 'meter' as const }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('run' as const), month }) },
  { weight: 2, arbitrary: fc.constant({ op: 'finalizeDue' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('finalizeOne' as const), pick: fc.nat(5) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('catalog' as const),
      tokenPrice: fc.constantFrom('0.0125', '0.013', '0.001'),
      latePolicy: fc.constantFrom('roll_forward' as const, 'memo' as const, 'reissue' as const),
    }),
  },
);
/** Steps: one operation, or two started at once. */
const steps = fc.array(
  fc.oneof(
    operation.map((single) => [single]),
    fc.tuple(operation, operation),
  ),
  { minLength: 3, maxLength: 12 },
);

/** A refusal a client may get (a run already running, a draft drawn against what changed): not a defect. */
const expected = (error: unknown) =>
  error instanceof AppError && ['conflict', 'validation', 'precondition_failed'].includes(error.category);

async function perform(app: App, sent: Record<string, unknown>[], operation: Operation): Promise<void> {
  switch (operation.op) {
    case 'ingest': {
      const events = operation.events.map((e) =>
        llmRequest(`2026-${e.month}-${String(e.day).padStart(2, '0')}T12:00:00Z`, e.tokens),
      );
      sent.push(...events);
      // Duplicates: some already sent events again, which must change nothing.
      const again = sent.slice(0, operation.repeat);
      await app.ingestion.ingest([...events, ...again].map((value) => ({ value })));
      return;
    }
    case 'meter':
      await app.metering.stage.runUntilCaughtUp();
      return;
    case 'run':
      await app.billing.run(`2026-${operation.month}`, 'property');
      return;
    case 'finalizeDue':
      await app.billing.finalizeDue('property');
      return;
    case 'finalizeOne': {
      const drafts = await app.billing.list({ status: 'draft' }, 10);
      const draft = drafts[operation.pick % Math.max(1, drafts.length)];
      if (draft) await app.billing.finalize(draft.id, 'property');
      return;
    }
    case 'catalog':
      await app.catalog.apply(
        llmCatalogYaml({ tokenPrice: operation.tokenPrice, latePolicy: operation.latePolicy }),
        'catalog.yaml',
        'property',
      );
      return;
  }
}

/** Closes every period: meters what is left, bills October to January (late usage lands on January at the latest) and finalizes all. */
async function settle(app: App, clock: ManualClock): Promise<void> {
  await app.metering.stage.runUntilCaughtUp();
  clock.set('2027-02-02T00:00:00Z');
  for (let round = 0; round < 3; round += 1) {
    for (const period of ['2026-10', '2026-11', '2026-12', '2027-01']) {
      await app.billing.run(period, 'settle');
      const due = await app.billing.finalizeDue('settle');
      if (due.skipped.length > 0 && round === 2)
        throw new Error(`drafts left after settling: ${JSON.stringify(due.skipped)}`);
    }
  }
}

/** The property on stores that `fresh` hands out, one per run. */
function billsEveryRecordOnce(fresh: () => Promise<Database>): Promise<void> {
  return fc.assert(
    fc.asyncProperty(steps, async (plan) => {
      const db = await fresh();
      const { app, clock } = await llmFixture(db, { graceHours: 0 });
      clock.set('2027-01-02T00:00:00Z');
      const sent: Record<string, unknown>[] = [];
      for (const step of plan) {
        const outcomes = await Promise.allSettled(step.map((operation) => perform(app, sent, operation)));
        for (const outcome of outcomes)
          if (outcome.status === 'rejected' && !expected(outcome.reason)) throw outcome.reason;
      }
      await settle(app, clock);
      expect(await billingInvariantViolations(db, app)).toEqual([]);
    }),
    { numRuns: RUNS, endOnFailure: true, ...REPLAY },
  );
}

const RUNS = Number(process.env.MB_PROPERTY_RUNS ?? 12);
// A failure prints its seed and path: MB_PROPERTY_SEED=… MB_PROPERTY_PATH=… replays exactly that case.
const REPLAY = process.env.MB_PROPERTY_SEED
  ? { seed: Number(process.env.MB_PROPERTY_SEED), path: process.env.MB_PROPERTY_PATH }
  : {};
const CLAIM =
  'bills every usage record once, on a line whose quantity its records make up; totals, numbers and quotes agree';

describeEachStore('billing invariants under random usage and interleavings', (stores) => {
  it(CLAIM, () => billsEveryRecordOnce(() => stores.fresh()), 300_000);
});

// `serve`'s embedded store: PGlite on its own thread, where statements of concurrent work are ordered by
// the thread's inbox rather than by PGlite's own lock. One store, a schema per run.
describe('billing invariants under random usage and interleavings [pglite worker thread]', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-properties-'));
  let store: Database | undefined;
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    CLAIM,
    async () => {
      store = await openStore({ dataDir: join(dir, 'store') });
      let runs = 0;
      const fresh = async () => {
        runs += 1;
        await store?.exec(`create schema run_${runs}; set search_path to run_${runs}`);
        return store as Database;
      };
      await billsEveryRecordOnce(fresh);
    },
    300_000,
  );
});
