import type { Queryable } from '../../platform/database/database.js';
import type { ValidEvent } from './ingestion.js';

export interface EventToStore {
  event: ValidEvent;
  schemaVersion: number | null;
}

export function eventKey(source: string, id: string): string {
  return `${source}\u0000${id}`;
}

// One statement per batch: arrays travel as parameters and `unnest` turns them back into rows, so a
// batch of 1,000 costs one round trip. ON CONFLICT makes the unique (source, id) index the only judge
// of what is new, which stays true with any number of processes inserting at once.
const INSERT_EVENTS = `
insert into raw_events
  (source, id, type, subject, time, datacontenttype, dataschema, schema_version, data, extensions, payload_hash, received_at)
select s, i, t, sub, tm, dct, ds, sv, d, ext, h, $12::timestamptz
from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[],
            $8::int[], $9::jsonb[], $10::jsonb[], $11::text[])
  as input(s, i, t, sub, tm, dct, ds, sv, d, ext, h)
on conflict (source, id) do nothing
returning source, id`;

/** Inserts what is new and returns the keys it inserted; everything else was already stored. */
export async function insertNewEvents(db: Queryable, rows: readonly EventToStore[], receivedAt: Date): Promise<Set<string>> {
  const columns: unknown[][] = Array.from({ length: 11 }, () => new Array(rows.length));
  rows.forEach(({ event, schemaVersion }, index) => {
    const values = [
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
    values.forEach((value, column) => ((columns[column] as unknown[])[index] = value));
  });
  const result = await db.query<{ source: string; id: string }>(INSERT_EVENTS, [...columns, receivedAt.toISOString()]);
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
