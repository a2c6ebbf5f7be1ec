import type { Clock } from '../../platform/clock.js';
import type { Database, Queryable } from '../../platform/database/database.js';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '../../platform/errors.js';
import { fetchPage, type Page } from '../../platform/paging.js';
import { recordAudit } from '../audit/index.js';
import { readRawEventsBySeq } from '../ingestion/index.js';
import { MAX_EXCEPTION_PAGE, parseExceptionId, parseExceptionIds, type ExceptionQuery } from './exception-filter.js';
import * as repository from './exceptions-repository.js';
import type { ExceptionFilter, MeteringException } from './exceptions-repository.js';
import type { MeteringIndexSource } from './index-source.js';
import { METERING_STAGE } from './metering-stage.js';
import { addSummaries, emptySummary, rederive, type RederiveSummary } from './rederive.js';
import { closeExceptions } from './rederive-repository.js';
import { lockCursor } from './repository.js';

const MAX_REASON = 1000;

export type ExceptionPage = Page<MeteringException>;

export interface ReprocessResult extends RederiveSummary {
  /** Open exceptions selected for another try. */
  selected: number;
  /** Of those, how many stay open (the cause is not fixed yet). */
  stillOpen: number;
  catalogVersion: number;
}

export interface ExceptionsService {
  list(query: ExceptionQuery): Promise<ExceptionPage>;
  get(id: string): Promise<MeteringException>;
  /** Closes open exceptions as ignored, with a reason; audited. All or none. */
  ignore(ids: readonly unknown[], reason: unknown, actor: string): Promise<MeteringException[]>;
  /**
   * Derives the open exceptions matching `filter` (or with these ids) again under the current catalog;
   * audited. `acceptBeyondHorizon`: a person accepts events that arrived beyond the horizon.
   */
  reprocess(
    selection: { filter?: ExceptionFilter; ids?: readonly unknown[]; acceptBeyondHorizon?: boolean },
    actor: string,
  ): Promise<ReprocessResult>;
  counts(): Promise<{ status: string; reason: string; count: number }[]>;
}

export interface ExceptionsDependencies {
  db: Database;
  indexSource: MeteringIndexSource;
  clock: Clock;
  horizonMs: number;
}

/** Explicit ids must all exist and be open: naming one that is not is a mistake worth an error. */
async function lockOpenExceptions(
  tx: Queryable,
  ids: readonly string[],
  verb: string,
): Promise<repository.LockedException[]> {
  const found = await repository.lockExceptions(tx, { ids }, ids.length);
  const missing = ids.filter((id) => !found.some((row) => row.id === id));
  if (missing.length > 0) throw new NotFoundError(`there is no exception ${missing.join(', ')}`);
  const closed = found.filter((row) => row.status !== 'open');
  if (closed.length > 0) {
    throw new ConflictError(
      `only open exceptions can be ${verb}`,
      closed.map((row) => ({ path: `/ids/${ids.indexOf(row.id)}`, message: `exception ${row.id} is ${row.status}` })),
    );
  }
  return found;
}

function checkReason(reason: unknown): string {
  if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > MAX_REASON) {
    throw new ValidationError('an ignore needs a reason', [
      { path: '/reason', message: `must say why, in 1-${MAX_REASON} characters` },
    ]);
  }
  return reason.trim();
}

export function createExceptions({ db, indexSource, clock, horizonMs }: ExceptionsDependencies): ExceptionsService {
  async function get(id: string): Promise<MeteringException> {
    const [found] = await repository.findExceptions(db, { ids: [parseExceptionId(id, '/id')] }, 1);
    if (!found) throw new NotFoundError(`there is no exception ${id}`);
    return found;
  }

  return {
    async list({ filter, limit }) {
      return fetchPage(
        limit,
        (size) => repository.findExceptions(db, filter, size),
        (exception) => exception.id,
      );
    },

    get,

    async ignore(ids, reason, actor) {
      const wanted = parseExceptionIds(ids, '/ids');
      const why = checkReason(reason);
      await db.transaction(async (tx) => {
        const found = await lockOpenExceptions(tx, wanted, 'ignored');
        const now = clock.now();
        await closeExceptions(tx, wanted, 'ignored', why, actor, now);
        await recordAudit(
          tx,
          now,
          found.map((row) => ({
            actor,
            action: 'exception.ignore',
            target: `exception:${row.id}`,
            detail: { reason: why, meter: row.meterKey, eventSeq: row.eventSeq },
          })),
        );
      });
      return repository.findExceptions(db, { ids: wanted }, wanted.length);
    },

    async reprocess(selection, actor) {
      const index = await indexSource.current();
      if (!index)
        throw new PreconditionFailedError('no catalog has been applied yet: there is nothing to derive usage with');
      const ids = selection.ids ? parseExceptionIds(selection.ids, '/ids') : undefined;
      if (ids) await db.transaction((tx) => lockOpenExceptions(tx, ids, 'reprocessed'));
      const base: ExceptionFilter = { ...selection.filter, ids, status: 'open' };
      const scope = {
        filter: selection.filter ?? null,
        ids: ids ?? null,
        acceptBeyondHorizon: selection.acceptBeyondHorizon === true,
      };
      // Written first, so that changes a crash cuts short still have their entry.
      await recordAudit(db, clock.now(), [
        { actor, action: 'exception.reprocess.start', target: 'exceptions', detail: scope },
      ]);
      const summary = emptySummary();
      let selected = 0;
      let afterId: string | undefined;
      for (;;) {
        const page = await db.transaction(async (tx) => {
          const now = clock.now();
          await lockCursor(tx, METERING_STAGE, now);
          const rows = await repository.lockExceptions(tx, { ...base, afterId }, MAX_EXCEPTION_PAGE);
          const keys = new Set(rows.map((row) => `${row.eventSeq}\n${row.meterKey}`));
          const events = await readRawEventsBySeq(tx, [...new Set(rows.map((row) => row.eventSeq))], {
            paths: index.dataPaths,
            withData: false,
          });
          const result = await rederive(tx, index, events, {
            inScope: (meterKey, _customers, eventSeq) => keys.has(`${eventSeq}\n${meterKey}`),
            resolution: 'reprocessed',
            actor,
            now,
            derive: { horizonMs, acceptBeyondHorizon: selection.acceptBeyondHorizon === true },
          });
          return { rows: rows.length, last: rows.at(-1)?.id, result };
        });
        selected += page.rows;
        addSummaries(summary, page.result);
        if (page.rows < MAX_EXCEPTION_PAGE || !page.last) break;
        afterId = page.last;
      }
      const result: ReprocessResult = {
        ...summary,
        selected,
        stillOpen: selected - summary.exceptions.resolved,
        catalogVersion: index.version,
      };
      const { invoiced: _listed, ...counts } = result;
      await recordAudit(db, clock.now(), [
        { actor, action: 'exception.reprocess', target: 'exceptions', detail: { ...counts, ...scope } },
      ]);
      return result;
    },

    counts: () => repository.countExceptions(db),
  };
}
