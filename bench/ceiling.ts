import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { validateEnvelope } from '../src/modules/ingestion/index.js';
import type { ValidEvent } from '../src/modules/ingestion/index.js';
import { migrate } from '../src/platform/database/migrate.js';
import { pgliteDatabase } from '../src/platform/database/pglite-database.js';
import { openPostgresDatabase } from '../src/platform/database/postgres-database.js';
import type { Database } from '../src/platform/database/database.js';

const COLUMNS = 'source, id, type, subject, time, data, payload_hash, schema_version, received_at';

const PLAIN_UNNEST = `insert into raw_events (${COLUMNS})
  select s, i, t, sub, tm, d, h, 1, now()
  from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[], $7::text[]) as x(s, i, t, sub, tm, d, h)`;

/** The stored form of each event, computed before any clock starts: the ceiling times the insert alone. */
export function toStoredRows(events: ReadonlyArray<Record<string, unknown>>): ValidEvent[] {
  const now = new Date();
  return events.map((raw) => {
    const checked = validateEnvelope(raw, { now, maxEventBytes: 65_536, maxFutureSeconds: 300 });
    if (!checked.ok) throw new Error(`bench generator made an invalid event: ${JSON.stringify(checked.errors)}`);
    return checked.event;
  });
}

function columns(rows: readonly ValidEvent[]): unknown[][] {
  return [
    rows.map((r) => r.source),
    rows.map((r) => r.id),
    rows.map((r) => r.type),
    rows.map((r) => r.subject),
    rows.map((r) => r.time),
    rows.map((r) => r.dataJson),
    rows.map((r) => r.payloadHash),
  ];
}

function csvField(value: string | null): string {
  return value === null ? '' : `"${value.replace(/"/g, '""')}"`;
}

function toCsv(rows: readonly ValidEvent[]): string {
  const received = new Date().toISOString();
  return rows
    .map((r) =>
      [r.source, r.id, r.type, r.subject, r.time, r.dataJson, r.payloadHash, '1', received].map(csvField).join(','),
    )
    .join('\n');
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export interface CeilingResult {
  unnestPerSecond: number;
  copyPerSecond: number;
}

async function unnestRun(db: Database, batches: readonly ValidEvent[][]): Promise<number> {
  return timed(async () => {
    for (const batch of batches) await db.query(PLAIN_UNNEST, columns(batch));
  });
}

/** PGlite, file-backed like the embedded default: plain unnest batches, then COPY, each on a fresh store. */
export async function pgliteCeiling(
  dataDirs: [string, string],
  batches: readonly ValidEvent[][],
  total: number,
): Promise<CeilingResult> {
  const first = await PGlite.create(dataDirs[0]);
  const db = await pgliteDatabase(first);
  await migrate(db);
  const unnestSeconds = await unnestRun(db, batches);
  await first.close();

  const second = await PGlite.create(dataDirs[1]);
  await migrate(await pgliteDatabase(second));
  const copySeconds = await timed(async () => {
    for (const batch of batches) {
      await second.query(`copy raw_events (${COLUMNS}) from '/dev/blob' with (format csv)`, [], {
        blob: new Blob([toCsv(batch)]),
      });
    }
  });
  await second.close();
  return { unnestPerSecond: total / unnestSeconds, copyPerSecond: total / copySeconds };
}

/** PostgreSQL server, one connection: plain unnest batches, then COPY, each into a fresh database. */
export async function postgresCeiling(
  urls: [string, string],
  batches: readonly ValidEvent[][],
  total: number,
): Promise<CeilingResult> {
  const db = await openPostgresDatabase({ connectionString: urls[0], maxConnections: 1 });
  await migrate(db);
  const unnestSeconds = await unnestRun(db, batches);
  await db.close();

  const migrated = await openPostgresDatabase({ connectionString: urls[1], maxConnections: 1 });
  await migrate(migrated);
  await migrated.close();
  const client = new pg.Client({ connectionString: urls[1] });
  await client.connect();
  const copySeconds = await timed(async () => {
    for (const batch of batches) {
      const stream = client.query(copyFrom(`copy raw_events (${COLUMNS}) from stdin with (format csv)`));
      await pipeline(Readable.from([toCsv(batch)]), stream);
    }
  });
  await client.end();
  return { unnestPerSecond: total / unnestSeconds, copyPerSecond: total / copySeconds };
}
