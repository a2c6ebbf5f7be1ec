import type { Registry } from 'prom-client';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import type { CatalogService } from '../catalog/index.js';
import { DEFAULT_HORIZON_DAYS } from './derive.js';
import { createExceptions, type ExceptionsService } from './exceptions.js';
import { createMeteringIndexSource, type MeteringIndexSource } from './index-source.js';
import { createMeteringMetrics, LAG_COUNT_CAP, type MeteringLag } from './metering-metrics.js';
import { createMeteringStage, METERING_STAGE, type MeteringStage } from './metering-stage.js';
import { replayUsage, type ReplayProgress, type ReplayRequest, type ReplayResult } from './replay.js';
import { listTelemetry, metersInUse, readCursor, type TelemetryTally } from './repository.js';
import { countRawEventsAfter } from '../ingestion/index.js';
import type { Queryable } from '../../platform/database/database.js';

export interface Metering {
  stage: MeteringStage;
  indexSource: MeteringIndexSource;
  exceptions: ExceptionsService;
  replay(request: ReplayRequest, onProgress?: (progress: ReplayProgress) => void): Promise<ReplayResult>;
  lag(): Promise<MeteringLag>;
  telemetry(): Promise<TelemetryTally[]>;
}

export interface MeteringDependencies {
  db: Database;
  catalog: CatalogService;
  clock: Clock;
  /** Where the stage's metrics register; none when absent (commands that only replay, say). */
  metrics?: Registry;
  batchSize?: number;
  /** Events arriving more than this many days after their time are held as exceptions (default 90). */
  horizonDays?: number;
}

export function createMetering({
  db,
  catalog,
  clock,
  metrics,
  batchSize,
  horizonDays = DEFAULT_HORIZON_DAYS,
}: MeteringDependencies): Metering {
  const horizonMs = horizonDays * 86_400_000;
  const indexSource = createMeteringIndexSource(catalog);
  const lag = async (): Promise<MeteringLag> => {
    const behind = await countRawEventsAfter(db, await readCursor(db, METERING_STAGE), LAG_COUNT_CAP);
    const seconds = behind.oldestReceivedAt
      ? Math.max(0, (clock.now().getTime() - behind.oldestReceivedAt.getTime()) / 1000)
      : 0;
    return { events: behind.events, seconds };
  };
  const observer = metrics ? createMeteringMetrics(metrics, lag) : undefined;
  return {
    stage: createMeteringStage({ db, indexSource, clock, batchSize, observer, horizonMs }),
    indexSource,
    exceptions: createExceptions({ db, indexSource, clock, horizonMs }),
    replay: (request, onProgress) => replayUsage({ db, indexSource, clock, horizonMs }, request, onProgress),
    lag,
    telemetry: () => listTelemetry(db),
  };
}

/**
 * For the catalog: which of these meters have usage already (their definition then only changes with a
 * later effectiveFrom). Serialized with the metering stage, in the caller's transaction.
 */
export function meteringMetersInUse(
  clock: Clock,
): (db: Queryable, meterKeys: readonly string[]) => Promise<ReadonlySet<string>> {
  return (db, meterKeys) => metersInUse(db, METERING_STAGE, meterKeys, clock.now());
}
