import type { Clock } from '../../platform/clock.js';
import type { Database, Queryable } from '../../platform/database/database.js';
import type { FieldError } from '../../platform/errors.js';
import { validateEnvelope } from './envelope.js';
import {
  schemaRequestKey,
  type BodyItem,
  type Conflict,
  type IngestionLimits,
  type IngestionObserver,
  type IngestResult,
  type Outcome,
  type Rejection,
  type SchemaResolver,
  type ValidEvent,
} from './ingestion.js';
import { eventKey, findPayloadHashes, insertNewEvents, insertSkippingKnown, type EventToStore } from './repository.js';

export interface IngestionDependencies {
  db: Database;
  schemas: SchemaResolver;
  clock: Clock;
  limits: IngestionLimits;
  observer?: IngestionObserver;
}

export interface IngestOptions {
  /** One rejected event means nothing of the batch is stored (for APIs whose batches are all-or-nothing). */
  atomic?: boolean;
  /** With `atomic`: an id reused with other content also means nothing is stored. */
  conflictsAbort?: boolean;
}

export interface Ingestion {
  /** Validates, deduplicates and stores one batch, answering for every event in it. */
  ingest(items: readonly BodyItem[], options?: IngestOptions): Promise<IngestResult>;
}

interface Candidate extends EventToStore {
  index: number;
  /** Whether this is the first occurrence of its key in the batch (the one offered to the store). */
  first?: boolean;
}

interface Stored {
  inserted: Set<string>;
  /** Payload hashes of keys that were already in the store. */
  storedHashes: Map<string, string>;
}

interface Checked {
  candidates: Candidate[];
  rejected: Rejection[];
  /** Event type of each item whose envelope was valid, for the metrics. */
  typeOf: Map<number, string>;
}

const UNPARSEABLE_TYPE = '(invalid)';

function conflictOf(candidate: Candidate): Conflict {
  const { source, id } = candidate.event;
  return {
    index: candidate.index,
    source,
    id,
    message: `event ${JSON.stringify(id)} from ${JSON.stringify(source)} was already received with different content; the original is kept`,
  };
}

/** Marks the first occurrence of each key, the one offered to the store; later ones are its duplicates. */
function markFirsts(candidates: readonly Candidate[]): { firsts: Candidate[]; hashOfFirst: Map<string, string> } {
  const hashOfFirst = new Map<string, string>();
  const firsts: Candidate[] = [];
  for (const candidate of candidates) {
    const key = eventKey(candidate.event.source, candidate.event.id);
    candidate.first = !hashOfFirst.has(key);
    if (candidate.first) {
      hashOfFirst.set(key, candidate.event.payloadHash);
      firsts.push(candidate);
    }
  }
  return { firsts, hashOfFirst };
}

/** Everything not inserted is a duplicate; one whose content differs from the original is also a conflict. */
function classify(
  candidates: readonly Candidate[],
  hashOfFirst: Map<string, string>,
  { inserted, storedHashes }: Stored,
) {
  const conflicts: Conflict[] = [];
  let duplicates = 0;
  for (const candidate of candidates) {
    const key = eventKey(candidate.event.source, candidate.event.id);
    if (candidate.first && inserted.has(key)) continue;
    duplicates += 1;
    if ((storedHashes.get(key) ?? hashOfFirst.get(key)) !== candidate.event.payloadHash)
      conflicts.push(conflictOf(candidate));
  }
  return { duplicates, conflicts };
}

/** Thrown inside the transaction to roll a batch back, carrying the conflicts that caused it. */
class AbortBatch extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super('batch aborted on conflicts');
  }
}

export function createIngestion(deps: IngestionDependencies): Ingestion {
  const { db, schemas, clock, limits, observer } = deps;

  /** Envelope, then schema: every problem of every event, without touching the store's event log. */
  async function check(items: readonly BodyItem[], now: Date): Promise<Checked> {
    const rejected: Rejection[] = [];
    const typeOf = new Map<number, string>();
    const reject = (index: number, id: string | undefined, errors: FieldError[]) => {
      const line = items[index]?.line;
      rejected.push({ index, ...(id === undefined ? {} : { id }), ...(line === undefined ? {} : { line }), errors });
    };
    const envelopes: Array<{ index: number; event: ValidEvent }> = [];
    items.forEach((item, index) => {
      if ('parseErrors' in item) return reject(index, undefined, item.parseErrors);
      const checked = validateEnvelope(item.value, {
        now,
        maxEventBytes: limits.maxEventBytes,
        maxFutureSeconds: limits.maxFutureSeconds,
      });
      if (!checked.ok) return reject(index, checked.id, checked.errors);
      typeOf.set(index, checked.event.type);
      envelopes.push({ index, event: checked.event });
    });
    const candidates: Candidate[] = [];
    if (envelopes.length === 0) return { candidates, rejected, typeOf };

    const requests = envelopes.map(({ event }) => ({ type: event.type, version: event.requestedSchemaVersion }));
    const resolved = await schemas.resolve(requests);
    envelopes.forEach(({ index, event }, position) => {
      const schema = resolved.get(schemaRequestKey(requests[position] as (typeof requests)[number]));
      if (!schema || schema.status === 'unknown_type') {
        if (limits.unknownTypes === 'reject')
          reject(index, event.id, [
            { path: '/type', message: `no schema is registered for event type ${JSON.stringify(event.type)}` },
          ]);
        else candidates.push({ index, event, schemaVersion: null });
      } else if (schema.status === 'unknown_version') {
        reject(index, event.id, [
          {
            path: '/dataschema',
            message: `event type ${JSON.stringify(event.type)} has no schema version ${event.requestedSchemaVersion}; the latest is ${schema.latest}`,
          },
        ]);
      } else if (event.dataschema !== null && event.requestedSchemaVersion === null) {
        reject(index, event.id, [
          { path: '/dataschema', message: 'must name a registered schema version: a URI ending in /<version>' },
        ]);
      } else {
        const errors = schema.validate(event.data ?? {});
        if (errors.length > 0) reject(index, event.id, errors);
        else candidates.push({ index, event, schemaVersion: schema.version });
      }
    });
    return { candidates, rejected, typeOf };
  }

  /** Stores the new events; the hashes of what was already stored tell retries from conflicts. */
  async function store(
    target: Database | Queryable,
    firsts: readonly Candidate[],
    now: Date,
    inTransaction: boolean,
  ): Promise<Stored> {
    const inserted =
      firsts.length === 0
        ? new Set<string>()
        : inTransaction
          ? await insertSkippingKnown(target, firsts, now.toISOString())
          : await insertNewEvents(target as Database, firsts, now);
    const known = firsts.filter(({ event }) => !inserted.has(eventKey(event.source, event.id)));
    const storedHashes =
      known.length > 0
        ? await findPayloadHashes(
            target,
            known.map(({ event }) => event),
          )
        : new Map<string, string>();
    return { inserted, storedHashes };
  }

  /** All-or-nothing including conflicts: the batch is stored in a transaction that a conflict rolls back. */
  async function storeUnlessConflicting(
    candidates: readonly Candidate[],
    firsts: readonly Candidate[],
    hashOfFirst: Map<string, string>,
    now: Date,
  ) {
    try {
      return await db.transaction(async (tx) => {
        const stored = await store(tx, firsts, now, true);
        const verdict = classify(candidates, hashOfFirst, stored);
        if (verdict.conflicts.length > 0) throw new AbortBatch(verdict.conflicts);
        return { stored, verdict };
      });
    } catch (error) {
      if (error instanceof AbortBatch)
        return { stored: undefined, verdict: { duplicates: 0, conflicts: error.conflicts } };
      throw error;
    }
  }

  return {
    async ingest(items, options = {}) {
      const now = clock.now();
      const { candidates, rejected, typeOf } = await check(items, now);
      const outcomes: Array<{ type: string; outcome: Outcome }> = rejected.map(({ index }) => ({
        type: typeOf.get(index) ?? UNPARSEABLE_TYPE,
        outcome: 'rejected',
      }));
      const finish = (result: IngestResult): IngestResult => {
        observer?.observeBatch(items.length, outcomes);
        result.rejected.sort((a, b) => a.index - b.index);
        result.conflicts.sort((a, b) => a.index - b.index);
        return result;
      };
      if (options.atomic && rejected.length > 0) return finish({ accepted: 0, duplicates: 0, rejected, conflicts: [] });

      const { firsts, hashOfFirst } = markFirsts(candidates);
      const { stored, verdict } =
        options.atomic && options.conflictsAbort
          ? await storeUnlessConflicting(candidates, firsts, hashOfFirst, now)
          : await store(db, firsts, now, false).then((result) => ({
              stored: result,
              verdict: classify(candidates, hashOfFirst, result),
            }));
      if (!stored) return finish({ accepted: 0, duplicates: 0, rejected, conflicts: verdict.conflicts });

      for (const candidate of candidates) {
        const accepted =
          candidate.first === true && stored.inserted.has(eventKey(candidate.event.source, candidate.event.id));
        outcomes.push({ type: candidate.event.type, outcome: accepted ? 'accepted' : 'duplicate' });
      }
      return finish({
        accepted: stored.inserted.size,
        duplicates: verdict.duplicates,
        rejected,
        conflicts: verdict.conflicts,
      });
    },
  };
}
