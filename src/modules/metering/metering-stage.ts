import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { countRawEventsAfter, readRawEventsAfter, type RawEvent } from '../ingestion/index.js';
import { deriveEvent } from './derive.js';
import type { MeteringIndexSource } from './index-source.js';
import * as repository from './repository.js';
import type { ExceptionDraft, UsageDraft } from './usage.js';

export const METERING_STAGE = 'metering';
export const DEFAULT_METERING_BATCH = 2000;
const WAIT_FOR_OPEN_TRANSACTIONS_MS = 20;

export interface MeteringBatch {
  /** Raw events read (and the cursor moved past). */
  events: number;
  usage: number;
  exceptions: number;
  telemetry: number;
  catalogVersion: number | undefined;
  /** Seconds from each new record's acceptance (received_at) to its commit. */
  delaysSeconds: number[];
  /** A catalog version appeared after the index was loaded: nothing was read; run again at once. */
  staleCatalog: boolean;
}

export interface MeteringObserver {
  batch(batch: MeteringBatch): void;
}

export interface MeteringStageDependencies {
  db: Database;
  indexSource: MeteringIndexSource;
  clock: Clock;
  batchSize?: number;
  observer?: MeteringObserver;
  /** Events arriving later than this after their time become `beyond_horizon` exceptions. */
  horizonMs: number;
}

export interface MeteringStage {
  /** Meters the next batch of the log in one transaction. Reads nothing until a catalog is applied. */
  runBatch(): Promise<MeteringBatch>;
  /**
   * Runs batches until every event committed before the call is metered. A transaction still open
   * elsewhere on the server can keep committed events out of reach for a moment (the log is read only
   * below the oldest running transaction); then it waits, up to `waitMs` (default 30 s), and returns.
   * Before any catalog it returns at once.
   */
  runUntilCaughtUp(options?: { waitMs?: number }): Promise<MeteringBatch[]>;
}

function telemetryTallies(events: readonly RawEvent[]): repository.TelemetryTally[] {
  const tallies = new Map<string, repository.TelemetryTally>();
  for (const event of events) {
    const tally = tallies.get(event.type);
    if (!tally) tallies.set(event.type, { eventType: event.type, events: 1, lastEventTime: event.time });
    else {
      tally.events += 1;
      if (event.time > tally.lastEventTime) tally.lastEventTime = event.time;
    }
  }
  return [...tallies.values()];
}

export function createMeteringStage({
  db,
  indexSource,
  clock,
  batchSize = DEFAULT_METERING_BATCH,
  observer,
  horizonMs,
}: MeteringStageDependencies): MeteringStage {
  const empty = (catalogVersion: number | undefined, staleCatalog = false): MeteringBatch => ({
    events: 0,
    usage: 0,
    exceptions: 0,
    telemetry: 0,
    catalogVersion,
    delaysSeconds: [],
    staleCatalog,
  });

  async function runBatch(): Promise<MeteringBatch> {
    const index = await indexSource.current();
    // Before the first catalog nothing is metered: the events wait (and show as lag) rather than
    // being counted as telemetry that a later catalog would have billed.
    if (!index) return empty(undefined);
    const result = await db.transaction(async (tx) => {
      const cursor = await repository.lockCursor(tx, METERING_STAGE, clock.now());
      // A catalog apply checks, under this same lock, which meters have usage; once it has committed,
      // no batch may still derive with the version before it.
      if (!(await indexSource.isCurrent(tx, index)))
        return { batch: empty(index.version, true), records: [] as UsageDraft[] };
      const events = await readRawEventsAfter(tx, cursor.position, batchSize, {
        paths: index.dataPaths,
        withData: false,
      });
      const last = events.at(-1);
      if (!last) return { batch: empty(index.version), records: [] as UsageDraft[] };
      const records: UsageDraft[] = [];
      const exceptions: ExceptionDraft[] = [];
      const telemetry: RawEvent[] = [];
      for (const event of events) {
        const derivation = deriveEvent(index, event, { horizonMs });
        records.push(...derivation.usage);
        exceptions.push(...derivation.exceptions);
        if (derivation.telemetry) telemetry.push(event);
      }
      const now = clock.now();
      const usage = await repository.copyUsage(tx, records, now);
      const opened = await repository.insertExceptions(tx, exceptions, now);
      await repository.addTelemetry(tx, telemetryTallies(telemetry));
      await repository.advanceCursor(tx, METERING_STAGE, last.cursor, events.length, now);
      const batch: MeteringBatch = {
        ...empty(index.version),
        events: events.length,
        usage,
        exceptions: opened,
        telemetry: telemetry.length,
      };
      return { batch, records };
    });
    const committedAt = clock.now().getTime();
    result.batch.delaysSeconds = result.records.map((record) => (committedAt - record.receivedAt.getTime()) / 1000);
    observer?.batch(result.batch);
    return result.batch;
  }

  return {
    runBatch,
    async runUntilCaughtUp({ waitMs = 30_000 } = {}) {
      const batches: MeteringBatch[] = [];
      const deadline = Date.now() + waitMs;
      for (;;) {
        const batch = await runBatch();
        batches.push(batch);
        if (batch.events >= batchSize || batch.staleCatalog) continue;
        if (batch.catalogVersion === undefined || Date.now() > deadline) return batches;
        const behind = await countRawEventsAfter(db, await repository.readCursor(db, METERING_STAGE), 1);
        if (behind.events === 0) return batches;
        await new Promise((resolve) => setTimeout(resolve, WAIT_FOR_OPEN_TRANSACTIONS_MS));
      }
    },
  };
}
