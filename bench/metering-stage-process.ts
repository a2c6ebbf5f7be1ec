import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/index.js';
import { createApp } from '../src/main.js';
import type { Database, Queryable } from '../src/platform/database/database.js';
import { timedDatabase } from './timed-database.js';
import { openStore } from '../src/platform/database/open-store.js';
import {
  expectedOutcomes,
  generateMeteringEvents,
  meteringCatalogJson,
  type OutcomeCounts,
} from './metering-events.js';

/**
 * One step of the metering benchmark's stage phase in a process of its own, printing one JSON line:
 * `--mode load` fills a fresh store (catalog applied, events ingested in batches of 5,000; not timed),
 * `--mode stage` times `metering.stage.runUntilCaughtUp()` on it and checks that usage records,
 * exceptions and telemetry account for every event. A separate process, so that neither the
 * generator's heap nor the loader's garbage weighs on the timed stage.
 */
const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    store: { type: 'string' },
    target: { type: 'string' },
    events: { type: 'string' },
    seed: { type: 'string' },
    customers: { type: 'string' },
    'batch-size': { type: 'string' },
  },
});
const total = Number(values.events);
const customers = Number(values.customers);
const target = values.target as string;
const LOAD_BATCH = 5000;

export interface StageBreakdown {
  /** Seconds per part of the timed run, summed over batches. */
  read: number;
  derive: number;
  insertUsage: number;
  insertExceptions: number;
  telemetry: number;
  cursor: number;
  commit: number;
  other: number;
}

export interface StageResult {
  seconds: number;
  events: number;
  usage: number;
  exceptions: number;
  telemetry: number;
  batches: number;
  breakdown: StageBreakdown;
}

function kindOf(sql: string): keyof StageBreakdown {
  if (sql.includes('from raw_events') && sql.includes('pg_snapshot_xmin')) return 'read';
  if (sql.includes('insert into usage_records')) return 'insertUsage';
  if (sql.includes('insert into metering_exceptions')) return 'insertExceptions';
  if (sql.includes('telemetry_counts')) return 'telemetry';
  if (sql.includes('stage_cursors')) return 'cursor';
  return 'other';
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

/**
 * The store with every statement timed by what it does. Inside a transaction, whatever is not a
 * statement is JavaScript (deriving, mapping rows); the rest of a transaction's time is BEGIN/COMMIT.
 */
function stageTimed(db: Database, breakdown: StageBreakdown): Database {
  return timedDatabase(db, {
    statement: (sql, took) => (breakdown[sql === 'copy usage_records' ? 'insertUsage' : kindOf(sql)] += took),
    javascript: (took) => (breakdown.derive += took),
    commit: (took) => (breakdown.commit += took),
  });
}

async function countRows(db: Queryable): Promise<OutcomeCounts> {
  const result = await db.query<{ usage: string; exceptions: string; telemetry: string }>(
    `select (select count(*) from usage_records)::text as usage,
            (select count(*) from metering_exceptions)::text as exceptions,
            (select coalesce(sum(events), 0) from telemetry_counts)::text as telemetry`,
  );
  const row = result.rows[0] as { usage: string; exceptions: string; telemetry: string };
  return { usage: Number(row.usage), exceptions: Number(row.exceptions), telemetry: Number(row.telemetry) };
}

const config = loadConfig({
  flags: {
    ...(values.store === 'postgres' ? { databaseUrl: target } : { dataDir: target }),
    logLevel: 'silent',
    ...(values['batch-size'] ? { meteringBatchSize: values['batch-size'] } : {}),
  },
});

if (values.mode === 'load') {
  const app = await createApp(config);
  const started = process.hrtime.bigint();
  await app.catalog.apply(meteringCatalogJson(customers), 'catalog.json', 'metering-bench');
  const ingestBatch = async (offset: number) => {
    const events = generateMeteringEvents(Math.min(LOAD_BATCH, total - offset), offset, values.seed, customers);
    const result = await app.ingestion.ingest(events.map((value) => ({ value })));
    if (result.accepted !== events.length)
      throw new Error(`load: accepted ${result.accepted} of ${events.length}: ${JSON.stringify(result).slice(0, 500)}`);
  };
  // Two batches in flight: the next is generated and validated while the store writes the last.
  let inFlight: Promise<void> | undefined;
  for (let offset = 0; offset < total; offset += LOAD_BATCH) {
    const next = ingestBatch(offset);
    await inFlight;
    inFlight = next;
  }
  await inFlight;
  const loadSeconds = seconds(started);
  await app.close();
  console.log(JSON.stringify({ seconds: loadSeconds }));
} else if (values.mode === 'stage') {
  const breakdown: StageBreakdown = {
    read: 0,
    derive: 0,
    insertUsage: 0,
    insertExceptions: 0,
    telemetry: 0,
    cursor: 0,
    commit: 0,
    other: 0,
  };
  const store = await openStore(config);
  const db = stageTimed(store, breakdown);
  const app = await createApp(config, { db });
  // Opening the store, migrating and loading the catalog index are not part of the stage's work.
  await app.metering.indexSource.current();
  for (const key of Object.keys(breakdown)) breakdown[key as keyof StageBreakdown] = 0;
  const started = process.hrtime.bigint();
  const batches = await app.metering.stage.runUntilCaughtUp();
  const stageSeconds = seconds(started);
  const sum = (pick: (b: (typeof batches)[number]) => number) => batches.reduce((acc, b) => acc + pick(b), 0);
  const result: StageResult = {
    seconds: stageSeconds,
    events: sum((b) => b.events),
    usage: sum((b) => b.usage),
    exceptions: sum((b) => b.exceptions),
    telemetry: sum((b) => b.telemetry),
    batches: batches.length,
    breakdown,
  };
  const expected = expectedOutcomes(total);
  const stored = await countRows(store);
  await store.close();
  const problems: string[] = [];
  if (result.events !== total) problems.push(`the stage read ${result.events} events, the store holds ${total}`);
  if (result.usage + result.exceptions + result.telemetry !== total) {
    problems.push(
      `usage ${result.usage} + exceptions ${result.exceptions} + telemetry ${result.telemetry} != ${total} events`,
    );
  }
  for (const key of ['usage', 'exceptions', 'telemetry'] as const) {
    if (result[key] !== expected[key])
      problems.push(`${key}: the stage reported ${result[key]}, expected ${expected[key]}`);
    if (stored[key] !== expected[key])
      problems.push(`${key}: the store holds ${stored[key]}, expected ${expected[key]}`);
  }
  if (problems.length > 0) throw new Error(`metering stage counts do not add up:\n  ${problems.join('\n  ')}`);
  console.log(JSON.stringify(result));
} else {
  throw new Error(`--mode must be load or stage, not ${String(values.mode)}`);
}
