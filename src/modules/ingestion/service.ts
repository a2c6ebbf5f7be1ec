import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
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
import { eventKey, findPayloadHashes, insertNewEvents } from './repository.js';

export interface IngestionDependencies {
  db: Database;
  schemas: SchemaResolver;
  clock: Clock;
  limits: IngestionLimits;
  observer?: IngestionObserver;
}

export interface Ingestion {
  /**
   * Validates, deduplicates and stores one batch, answering for every event in it. With `atomic`,
   * one rejected event means nothing is stored (for compatible APIs whose batches are all-or-nothing).
   */
  ingest(items: readonly BodyItem[], options?: { atomic?: boolean }): Promise<IngestResult>;
}

interface Candidate {
  index: number;
  event: ValidEvent;
  schemaVersion: number | null;
}

const UNPARSEABLE_TYPE = '(invalid)';

function conflictMessage(event: ValidEvent): string {
  return `event ${JSON.stringify(event.id)} from ${JSON.stringify(event.source)} was already received with different content; the original is kept`;
}

export function createIngestion(deps: IngestionDependencies): Ingestion {
  const { db, schemas, clock, limits, observer } = deps;

  async function checkSchemas(events: Array<{ index: number; event: ValidEvent }>, reject: (index: number, id: string, errors: FieldError[]) => void) {
    const requests = events.map(({ event }) => ({ type: event.type, version: event.requestedSchemaVersion }));
    const resolved = await schemas.resolve(requests);
    const passed: Candidate[] = [];
    events.forEach(({ index, event }, position) => {
      const schema = resolved.get(schemaRequestKey(requests[position] as (typeof requests)[number]));
      if (!schema || schema.status === 'unknown_type') {
        if (limits.unknownTypes === 'reject') {
          reject(index, event.id, [{ path: '/type', message: `no schema is registered for event type ${JSON.stringify(event.type)}` }]);
        } else {
          passed.push({ index, event, schemaVersion: null });
        }
        return;
      }
      if (schema.status === 'unknown_version') {
        reject(index, event.id, [
          { path: '/dataschema', message: `event type ${JSON.stringify(event.type)} has no schema version ${event.requestedSchemaVersion}; the latest is ${schema.latest}` },
        ]);
        return;
      }
      if (event.dataschema !== null && event.requestedSchemaVersion === null) {
        reject(index, event.id, [{ path: '/dataschema', message: 'must name a registered schema version: a URI ending in /<version>' }]);
        return;
      }
      const errors = schema.validate(event.data ?? {});
      if (errors.length > 0) reject(index, event.id, errors);
      else passed.push({ index, event, schemaVersion: schema.version });
    });
    return passed;
  }

  return {
    async ingest(items, options = {}) {
      const now = clock.now();
      const rejected: Rejection[] = [];
      const conflicts: Conflict[] = [];
      const outcomes: Array<{ type: string; outcome: Outcome }> = [];
      const typeOf = new Map<number, string>();
      const reject = (index: number, id: string | undefined, errors: FieldError[], line?: number) => {
        rejected.push({ index, ...(id === undefined ? {} : { id }), ...(line === undefined ? {} : { line }), errors });
        outcomes.push({ type: typeOf.get(index) ?? UNPARSEABLE_TYPE, outcome: 'rejected' });
      };

      const envelopes: Array<{ index: number; event: ValidEvent }> = [];
      const lines = new Map<number, number>();
      items.forEach((item, index) => {
        if (item.line !== undefined) lines.set(index, item.line);
        if ('parseErrors' in item) return reject(index, undefined, item.parseErrors, item.line);
        const checked = validateEnvelope(item.value, { now, maxEventBytes: limits.maxEventBytes, maxFutureSeconds: limits.maxFutureSeconds });
        if (!checked.ok) return reject(index, checked.id, checked.errors, item.line);
        typeOf.set(index, checked.event.type);
        envelopes.push({ index, event: checked.event });
      });
      const rejectWithLine = (index: number, id: string, errors: FieldError[]) => reject(index, id, errors, lines.get(index));
      const candidates = envelopes.length > 0 ? await checkSchemas(envelopes, rejectWithLine) : [];

      if (options.atomic && rejected.length > 0) {
        rejected.sort((a, b) => a.index - b.index);
        observer?.observeBatch(items.length, outcomes);
        return { accepted: 0, duplicates: 0, rejected, conflicts };
      }

      // The first occurrence of a key in the batch is the one offered to the store; later ones are duplicates of it.
      const firstByKey = new Map<string, Candidate>();
      const toStore: Candidate[] = [];
      const repeats: Candidate[] = [];
      for (const candidate of candidates) {
        const key = eventKey(candidate.event.source, candidate.event.id);
        if (firstByKey.has(key)) repeats.push(candidate);
        else {
          firstByKey.set(key, candidate);
          toStore.push(candidate);
        }
      }

      const inserted = toStore.length > 0 ? await insertNewEvents(db, toStore, now) : new Set<string>();
      const alreadyStored = toStore.filter(({ event }) => !inserted.has(eventKey(event.source, event.id)));
      const storedHashes = alreadyStored.length > 0 ? await findPayloadHashes(db, alreadyStored.map(({ event }) => event)) : new Map<string, string>();

      let duplicates = 0;
      const countDuplicate = (candidate: Candidate, originalHash: string | undefined) => {
        duplicates += 1;
        outcomes.push({ type: candidate.event.type, outcome: 'duplicate' });
        if (originalHash !== undefined && originalHash !== candidate.event.payloadHash) {
          conflicts.push({ index: candidate.index, source: candidate.event.source, id: candidate.event.id, message: conflictMessage(candidate.event) });
        }
      };
      for (const candidate of alreadyStored) countDuplicate(candidate, storedHashes.get(eventKey(candidate.event.source, candidate.event.id)));
      for (const candidate of repeats) {
        const key = eventKey(candidate.event.source, candidate.event.id);
        countDuplicate(candidate, storedHashes.get(key) ?? firstByKey.get(key)?.event.payloadHash);
      }
      for (const candidate of toStore) {
        if (inserted.has(eventKey(candidate.event.source, candidate.event.id))) outcomes.push({ type: candidate.event.type, outcome: 'accepted' });
      }

      observer?.observeBatch(items.length, outcomes);
      rejected.sort((a, b) => a.index - b.index);
      conflicts.sort((a, b) => a.index - b.index);
      return { accepted: inserted.size, duplicates, rejected, conflicts };
    },
  };
}
