import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/index.js';
import { createApp } from '../src/main.js';
import type { BillingRunSummary } from '../src/modules/billing/index.js';
import { ManualClock } from '../src/platform/clock.js';
import type { Database, Queryable } from '../src/platform/database/database.js';
import { timedDatabase } from './timed-database.js';
import { openStore } from '../src/platform/database/open-store.js';
import { expectedTotals, USAGE_COLUMNS, usageCopyText } from './billing-usage.js';
import { meteringCatalogJson } from './metering-events.js';

/**
 * One step of the billing benchmark in a process of its own, printing one JSON line:
 * `--mode load` fills a fresh store (the reference catalog with S generated customers and `growth`
 * subscriptions applied, N usage records COPYed into usage_records; not timed), `--mode run` times
 * `app.billing.run('2026-10')` on it, then the same run again (idempotent: nothing may change), and
 * checks the invoices against what was loaded. A separate process, so that neither the loader's heap
 * nor its garbage weighs on the timed run.
 */
const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    store: { type: 'string' },
    target: { type: 'string' },
    records: { type: 'string' },
    subscriptions: { type: 'string' },
    analyze: { type: 'string', default: 'true' },
  },
});
const records = Number(values.records);
const subscriptions = Number(values.subscriptions);
const target = values.target as string;
const COPY_BATCH = 50_000;
const PERIOD = '2026-10';
/** After October 2026 has ended: billing refuses a month that has not. */
const clock = new ManualClock('2026-11-02T00:00:00Z');
// The reference catalog's own subscriptions: acme-growth-2026 (monthly) is billed for October too;
// globex-growth-2026 is quarterly from 15 February, so none of its periods starts in October.
const REFERENCE_INVOICES = 1;

export interface BillingBreakdown {
  /** Seconds per part of the timed run. */
  aggregate: number;
  findInvoice: number;
  insertInvoice: number;
  insertLines: number;
  /** Inside the transaction, whatever is not a statement: planning, drafting and rating in JavaScript. */
  draft: number;
  commit: number;
  other: number;
}

export interface BillingRunResult {
  seconds: number;
  invoices: number;
  rerunSeconds: number;
  breakdown: BillingBreakdown;
  rerunBreakdown: BillingBreakdown;
  summary: BillingRunSummary['invoices'];
  rerunSummary: BillingRunSummary['invoices'];
  usageRecords: number;
  /** Finalizing drafts one by one, each marking and checking the usage records it bills. */
  finalize: { invoices: number; seconds: number; marked: number; slowest: [statement: string, seconds: number][] };
}

// Drafts finalized one by one after the runs: enough for a steady rate, few enough that the bench stays short.
const FINALIZE_SAMPLE = 1_000;

function kindOf(sql: string): keyof BillingBreakdown {
  if (sql.includes('grouping sets')) return 'aggregate';
  if (sql.includes('from invoices i join unnest')) return 'findInvoice';
  if (sql.includes('insert into invoices')) return 'insertInvoice';
  if (sql.includes('insert into invoice_lines')) return 'insertLines';
  return 'other';
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const emptyBreakdown = (): BillingBreakdown => ({
  aggregate: 0,
  findInvoice: 0,
  insertInvoice: 0,
  insertLines: 0,
  draft: 0,
  commit: 0,
  other: 0,
});

/** Seconds per statement (its first words) while finalizing, and in JavaScript: where finalization's time goes. */
const finalizeStatements = new Map<string, number>();
let finalizing = false;
const noteFinalize = (label: string, took: number) => {
  if (finalizing) finalizeStatements.set(label, (finalizeStatements.get(label) ?? 0) + took);
};

/** The store with every statement timed by what it does, into whichever breakdown is current. */
function billingTimed(db: Database, current: () => BillingBreakdown): Database {
  return timedDatabase(db, {
    statement: (sql, took) => {
      current()[kindOf(sql)] += took;
      noteFinalize(sql.replace(/\s+/g, ' ').trim().slice(0, 60), took);
    },
    javascript: (took) => {
      current().draft += took;
      noteFinalize('(JavaScript inside the transaction)', took);
    },
    commit: (took) => {
      current().commit += took;
      noteFinalize('(begin/commit)', took);
    },
  });
}

const config = loadConfig({
  flags: { ...(values.store === 'postgres' ? { databaseUrl: target } : { dataDir: target }), logLevel: 'silent' },
});

async function load(): Promise<void> {
  const app = await createApp(config, { clock });
  const started = process.hrtime.bigint();
  const applied = await app.catalog.apply(meteringCatalogJson(subscriptions), 'catalog.json', 'billing-bench');
  const catalogSeconds = seconds(started);
  const copyStarted = process.hrtime.bigint();
  let loaded = 0;
  for (let from = 0; from < records; from += COPY_BATCH) {
    loaded += await app.db.copyIn(
      'usage_records',
      USAGE_COLUMNS,
      usageCopyText(from, Math.min(records, from + COPY_BATCH), subscriptions, applied.version.version),
    );
  }
  if (loaded !== records) throw new Error(`load: COPY wrote ${loaded} usage records, expected ${records}`);
  const copySeconds = seconds(copyStarted);
  // PostgreSQL's autovacuum would analyze a table that just grew by N rows within a minute; PGlite has
  // no autovacuum. `--analyze false` bills on whatever statistics the store has.
  const analyzeStarted = process.hrtime.bigint();
  if (values.analyze !== 'false') await app.db.exec('analyze usage_records');
  const analyzeSeconds = seconds(analyzeStarted);
  await app.close();
  console.log(JSON.stringify({ catalogSeconds, copySeconds, analyzeSeconds }));
}

async function checkInvoices(db: Queryable): Promise<string[]> {
  const problems: string[] = [];
  const expected = expectedTotals(records, subscriptions);
  const invoices = await db.query<{ n: string }>(
    `select count(*)::text as n from invoices where subscription_key like 'bench-c%' and period_start = '2026-10-01T00:00:00Z' and status = 'draft'`,
  );
  const invoiceCount = Number(invoices.rows[0]?.n);
  if (invoiceCount !== subscriptions)
    problems.push(
      `${invoiceCount} draft invoices of the generated subscriptions for October, expected ${subscriptions}`,
    );
  const lines = await db.query<{ meter_key: string; quantity: string; lines: string }>(
    `select l.meter_key, sum(l.quantity)::text as quantity, count(*)::text as lines
       from invoice_lines l join invoices i on i.id = l.invoice_id
      where l.kind = 'usage' and i.subscription_key like 'bench-c%' group by l.meter_key`,
  );
  const byMeter = new Map(lines.rows.map((row) => [row.meter_key, row]));
  const apiCalls = byMeter.get('api_calls')?.quantity ?? '0';
  if (apiCalls !== String(expected.apiCalls))
    problems.push(`api_calls (count): the lines add up to ${apiCalls}, ${expected.apiCalls} records were loaded`);
  const support = Number(byMeter.get('support_hours')?.quantity ?? '0');
  if (support * 4 !== expected.supportQuarterHours)
    problems.push(
      `support_hours (sum): the lines add up to ${support}, the loaded values to ${expected.supportQuarterHours / 4}`,
    );
  // storage_gb is a max: the lines must carry each subscription's maximum, summed.
  const storage = await db.query<{ total: string }>(
    `select coalesce(sum(m), 0)::text as total from (select max(value) as m from usage_records where meter_key = 'storage_gb' group by subscription_key) x where m > 0`,
  );
  const storageLines = byMeter.get('storage_gb')?.quantity ?? '0';
  if (Number(storageLines) !== Number(storage.rows[0]?.total))
    problems.push(
      `storage_gb (max): the lines add up to ${storageLines}, the loaded maxima to ${storage.rows[0]?.total}`,
    );
  return problems;
}

async function run(): Promise<void> {
  const breakdowns = [emptyBreakdown(), emptyBreakdown(), emptyBreakdown()];
  let phase = 0;
  const store = await openStore(config);
  const db = billingTimed(store, () => breakdowns[phase] as BillingBreakdown);
  const app = await createApp(config, { db, clock });
  // Opening the store, migrating and reading the catalog version are not part of the run's work
  // (catalog.current() reads the stored version; the run reads it again, timed, as any run would).
  await app.catalog.current();
  const countResult = await store.query<{ n: string }>(`select count(*)::text as n from usage_records`);
  const usageRecords = Number(countResult.rows[0]?.n);
  if (usageRecords !== records) throw new Error(`the store holds ${usageRecords} usage records, expected ${records}`);

  phase = 1;
  let started = process.hrtime.bigint();
  const first = await app.billing.run(PERIOD, 'bench');
  const runSeconds = seconds(started);
  phase = 2;
  started = process.hrtime.bigint();
  const second = await app.billing.run(PERIOD, 'bench');
  const rerunSeconds = seconds(started);
  phase = 0;

  const invoices = subscriptions + REFERENCE_INVOICES;
  const problems: string[] = [];
  const { created, updated, unchanged, finalized } = first.invoices;
  if (created !== invoices || updated !== 0 || unchanged !== 0 || finalized !== 0) {
    problems.push(
      `first run: ${JSON.stringify(first.invoices)}, expected ${invoices} created (${subscriptions} generated + ${REFERENCE_INVOICES} reference), nothing else`,
    );
  }
  if (
    second.invoices.unchanged !== invoices ||
    second.invoices.created !== 0 ||
    second.invoices.updated !== 0 ||
    second.invoices.finalized !== 0
  ) {
    problems.push(
      `re-run is not idempotent: ${JSON.stringify(second.invoices)}, expected ${invoices} unchanged and nothing created or updated`,
    );
  }
  if (first.pending.length > 0) problems.push(`first run left ${first.pending.length} periods pending`);
  problems.push(...(await checkInvoices(store)));

  // Past the grace period: finalize a sample of the drafts, each on its own as `POST /v1/invoices/{id}/finalize` does.
  clock.set('2026-11-06T00:00:00Z');
  const sample = await store.query<{ id: string }>(
    `select id from invoices where status = 'draft' order by id limit $1`,
    [FINALIZE_SAMPLE],
  );
  started = process.hrtime.bigint();
  finalizing = true;
  for (const { id } of sample.rows) await app.billing.finalize(id, 'bench');
  finalizing = false;
  const finalizeSeconds = seconds(started);
  // What the finalized lines bill of the count and sum meters, and what the records they marked come to.
  const marked = await store.query<{
    records: string;
    calls: string;
    callLines: string;
    hours: string;
    hourLines: string;
  }>(
    `select (select count(*) from usage_records where invoice_id = any($1))::text as records,
            (select count(*) from usage_records where invoice_id = any($1) and meter_key = 'api_calls')::text as calls,
            (select coalesce(sum(quantity), 0) from invoice_lines where invoice_id = any($1) and meter_key = 'api_calls')::text as "callLines",
            (select coalesce(sum(value), 0) from usage_records where invoice_id = any($1) and meter_key = 'support_hours')::text as hours,
            (select coalesce(sum(quantity), 0) from invoice_lines where invoice_id = any($1) and meter_key = 'support_hours')::text as "hourLines"`,
    [sample.rows.map((row) => row.id)],
  );
  const finalizedMarks = marked.rows[0];
  if (
    Number(finalizedMarks?.calls) !== Number(finalizedMarks?.callLines) ||
    Number(finalizedMarks?.hours) !== Number(finalizedMarks?.hourLines)
  ) {
    problems.push(`finalized invoices mark records that do not make up their lines: ${JSON.stringify(finalizedMarks)}`);
  }
  await app.close();
  await store.close();
  if (problems.length > 0) throw new Error(`billing run does not add up:\n  ${problems.join('\n  ')}`);
  const result: BillingRunResult = {
    seconds: runSeconds,
    invoices: created,
    rerunSeconds,
    breakdown: breakdowns[1] as BillingBreakdown,
    rerunBreakdown: breakdowns[2] as BillingBreakdown,
    summary: first.invoices,
    rerunSummary: second.invoices,
    usageRecords,
    finalize: {
      invoices: sample.rows.length,
      seconds: finalizeSeconds,
      marked: Number(finalizedMarks?.records),
      slowest: [...finalizeStatements].sort((a, b) => b[1] - a[1]).slice(0, 4),
    },
  };
  console.log(JSON.stringify(result));
}

if (values.mode === 'load') await load();
else if (values.mode === 'run') await run();
else throw new Error(`--mode must be load or run, not ${String(values.mode)}`);
