import { copyTextRow } from '../../platform/database/copy-text.js';
import type { Database, Queryable } from '../../platform/database/database.js';
import type { ValidEvent } from './ingestion.js';

export interface EventToStore {
  event: ValidEvent;
  schemaVersion: number | null;
}

export function eventKey(source: string, id: string): string {
  return `${source}\u0000${id}`;
}

const COLUMNS = [
  'source',
  'id',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
  'schema_version',
  'data',
  'extensions',
  'payload_hash',
  'received_at',
];

// The path for batches holding known keys, one statement per batch: arrays travel as parameters and
// `unnest` turns them back into rows. In both paths the unique (source, id) index is the only judge
// of what is new, which stays true with any number of processes inserting at once.
const INSERT_NEW_ROWS = `
insert into raw_events
  (source, id, type, subject, time, datacontenttype, dataschema, schema_version, data, extensions, payload_hash, received_at)
select s, i, t, sub, tm, dct, ds, sv, d, ext, h, $12::timestamptz
from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[],
            $8::int[], $9::jsonb[], $10::jsonb[], $11::text[])
  as input(s, i, t, sub, tm, dct, ds, sv, d, ext, h)
on conflict (source, id) do nothing
returning source, id`;
const UNIQUE_VIOLATION = '23505';

function rowValues({ event, schemaVersion }: EventToStore): Array<string | number | null> {
  return [
    event.source,
    event.id,
    event.type,
    event.subject,
    event.time,
    event.datacontenttype,
    event.dataschema,
    schemaVersion,
    event.dataJson,
    event.extensions === null ? null : JSON.stringify(event.extensions),
    event.payloadHash,
  ];
}

/**
 * Inserts what is new and returns the keys it inserted; everything else was already stored.
 * `rows` must have distinct keys. COPY is tried first: when every event is new (the common case) it
 * is the cheapest way in. A unique violation rolls the whole COPY back, and the batch goes again
 * through INSERT ... ON CONFLICT, which skips the known keys row by row.
 */
export async function insertNewEvents(
  db: Database,
  rows: readonly EventToStore[],
  receivedAt: Date,
): Promise<Set<string>> {
  const received = receivedAt.toISOString();
  try {
    await db.copyIn(
      'raw_events',
      COLUMNS,
      rows.map((row) => `${copyTextRow([...rowValues(row), received])}\n`).join(''),
    );
    return new Set(rows.map(({ event }) => eventKey(event.source, event.id)));
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
  }
  return insertSkippingKnown(db, rows, received);
}

/** The row-by-row path alone; the one usable inside a transaction (COPY runs on its own connection). */
export async function insertSkippingKnown(
  db: Queryable,
  rows: readonly EventToStore[],
  received: string,
): Promise<Set<string>> {
  const columns: unknown[][] = Array.from({ length: 11 }, () => new Array(rows.length));
  rows.forEach((row, index) =>
    rowValues(row).forEach((value, column) => ((columns[column] as unknown[])[index] = value)),
  );
  const result = await db.query<{ source: string; id: string }>(INSERT_NEW_ROWS, [...columns, received]);
  return new Set(result.rows.map((row) => eventKey(row.source, row.id)));
}

/** Payload hashes of stored events, to tell a retry (same hash) from a reused id (conflict). */
export async function findPayloadHashes(
  db: Queryable,
  keys: ReadonlyArray<{ source: string; id: string }>,
): Promise<Map<string, string>> {
  const result = await db.query<{ source: string; id: string; payload_hash: string }>(
    `select e.source, e.id, e.payload_hash
       from raw_events e
       join unnest($1::text[], $2::text[]) as k(source, id) on e.source = k.source and e.id = k.id`,
    [keys.map((key) => key.source), keys.map((key) => key.id)],
  );
  return new Map(result.rows.map((row) => [eventKey(row.source, row.id), row.payload_hash]));
}
