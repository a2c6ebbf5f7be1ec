import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { PreconditionFailedError, ValidationError, type FieldError } from '../../platform/errors.js';
import { readTimeRange } from '../../platform/time-range.js';
import { recordAudit } from '../audit/index.js';
import { countRawEventsInTimeRange, readRawEventsInTimeRange } from '../ingestion/index.js';
import type { MeteringIndexSource } from './index-source.js';
import { METERING_STAGE } from './metering-stage.js';
import { addSummaries, emptySummary, rederive, type RederiveSummary } from './rederive.js';
import { lockCursor, readCursor } from './repository.js';

export interface ReplayRequest {
  /** RFC 3339; events whose time is in [from, to) are derived again. */
  from: string;
  to: string;
  customer?: string;
  meter?: string;
  actor: string;
}

export interface ReplayResult extends RederiveSummary {
  from: string;
  to: string;
  customer: string | null;
  meter: string | null;
  catalogVersion: number;
}

export interface ReplayProgress {
  done: number;
  total: number;
}

export interface ReplayDependencies {
  db: Database;
  indexSource: MeteringIndexSource;
  clock: Clock;
  horizonMs: number;
  pageSize?: number;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/;

function checkRequest(request: ReplayRequest): { from: Date; to: Date } {
  const { range, errors } = readTimeRange(request.from, request.to, (name) => `/${name}`);
  const more: FieldError[] = [];
  for (const name of ['customer', 'meter'] as const) {
    const value = request[name];
    if (value !== undefined && !KEY.test(value))
      more.push({
        path: `/${name}`,
        message: 'must be a catalog key (a letter or digit, then letters, digits, . _ : @ -; at most 200)',
      });
  }
  if (!range || more.length > 0) throw new ValidationError('invalid replay request', [...errors, ...more]);
  return range;
}

/** The events a replay of [from, to) will read: those in range the stage has passed. */
async function countEvents(db: Database, from: Date, to: Date): Promise<number> {
  const cursor = await readCursor(db, METERING_STAGE);
  return cursor ? countRawEventsInTimeRange(db, { from, to, upTo: cursor }) : 0;
}

/**
 * Derives the usage of [from, to) again from the raw log under the current catalog, page by page, each
 * page one transaction holding the metering stage's cursor (so the stage and a replay never interleave),
 * and only for events the stage has already read. Deterministic: a second run finds nothing to change.
 * Invoiced records are left alone and what would change on them is reported. Audited.
 */
export async function replayUsage(
  { db, indexSource, clock, horizonMs, pageSize = 1000 }: ReplayDependencies,
  request: ReplayRequest,
  onProgress?: (progress: ReplayProgress) => void,
): Promise<ReplayResult> {
  const { from, to } = checkRequest(request);
  const index = await indexSource.current();
  if (!index)
    throw new PreconditionFailedError('no catalog has been applied yet: there is nothing to derive usage with');
  const total = await countEvents(db, from, to);
  const target = `usage:${from.toISOString()}..${to.toISOString()}`;
  const scope = { customer: request.customer ?? null, meter: request.meter ?? null, catalogVersion: index.version };
  // Written first, so that changes a crash cuts short still have their entry.
  await recordAudit(db, clock.now(), [{ actor: request.actor, action: 'usage.replay.start', target, detail: scope }]);
  const summary = emptySummary();
  const inScope = (meterKey: string, customers: readonly (string | null | undefined)[]) =>
    (request.meter === undefined || meterKey === request.meter) &&
    (request.customer === undefined || customers.includes(request.customer));
  let afterSeq = '0';
  onProgress?.({ done: 0, total });
  for (;;) {
    const page = await db.transaction(async (tx) => {
      const now = clock.now();
      const cursor = await lockCursor(tx, METERING_STAGE, now);
      if (!cursor.position) return { summary: emptySummary(), last: undefined };
      const events = await readRawEventsInTimeRange(tx, { from, to, afterSeq, upTo: cursor.position }, pageSize, {
        paths: index.dataPaths,
        withData: false,
      });
      const pageSummary = await rederive(tx, index, events, {
        inScope,
        resolution: 'replayed',
        actor: request.actor,
        now,
        derive: { horizonMs },
      });
      return { summary: pageSummary, last: events.at(-1)?.seq };
    });
    addSummaries(summary, page.summary);
    onProgress?.({ done: summary.events, total: Math.max(total, summary.events) });
    if (!page.last || page.summary.events < pageSize) break;
    afterSeq = page.last;
  }
  const result: ReplayResult = {
    from: from.toISOString(),
    to: to.toISOString(),
    customer: request.customer ?? null,
    meter: request.meter ?? null,
    catalogVersion: index.version,
    ...summary,
  };
  const { invoiced: _listed, ...counts } = result;
  await recordAudit(db, clock.now(), [{ actor: request.actor, action: 'usage.replay', target, detail: counts }]);
  return result;
}
