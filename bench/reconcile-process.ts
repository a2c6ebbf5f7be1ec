import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/index.js';
import { createApp, type App } from '../src/main.js';
import type { PostingBody } from '../src/modules/connectors/index.js';
import {
  createNetSuiteConnector,
  createNetSuiteContext,
} from '../src/modules/connectors/erp-netsuite/netsuite-connector.js';
import { createPacedReader } from '../src/modules/reconciliation/read-back.js';
import { createTargetPace } from '../src/modules/reconciliation/target-pace.js';
import type { StageTotals } from '../src/modules/reconciliation/reconciliation.js';
import type { Clock } from '../src/platform/clock.js';
import { USAGE_COLUMNS, usageCopyText } from './billing-usage.js';
import { NETSUITE_TARGET, REFERENCE_INVOICES, reconcileCatalogJson } from './reconcile-catalog.js';
import { timedDatabase } from './timed-database.js';
import { openStore } from '../src/platform/database/open-store.js';

/**
 * One step of the reconciliation benchmark in a process of its own, printing one JSON line (so that no
 * step's heap or garbage weighs on the next, and the timed one starts clean):
 *  - `--mode load` (not timed): the reference catalog with S generated customers (each with an ERP id)
 *    and `growth` subscriptions, both legal entities posted to one NetSuite target in invoice mode, the
 *    target's limits generous; then N October 2026 usage records COPYed into usage_records, analyzed.
 *  - `--mode bill` (not timed, but the billing run is measured: the baseline): `app.billing.run('2026-10')`,
 *    every draft finalized (`finalizeDue`, the clock past the grace period), the dispatcher stepped until
 *    every posting is delivered to the emulator, then the catalog applied again with the target's limits
 *    at R, as the timed runs need them.
 *  - `--mode reconcile` (timed): `app.reconciliations.run({ period: '2026-10' })`, once.
 *  - `--mode bare` (timed): the floor of the read-back: the delivered postings' external ids read back
 *    with the connector's SuiteQL look-up, batch by batch at the same pace (half of R), and nothing else.
 * The clock is the real one moved to November 2026 (billing on the 2nd, finalizing and posting on the
 * 6th, reconciling on the 10th, October closed): the dispatcher's pacing and the read-back's waits run in
 * real time.
 */
const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    store: { type: 'string' },
    target: { type: 'string' },
    records: { type: 'string' },
    subscriptions: { type: 'string' },
    'emulator-url': { type: 'string' },
    rate: { type: 'string' },
    'timeout-seconds': { type: 'string', default: '1200' },
  },
});
const records = Number(values.records);
const subscriptions = Number(values.subscriptions);
const target = values.target as string;
const RATE = Number(values.rate);
const COPY_BATCH = 50_000;
const PERIOD = '2026-10';
const secret = process.env.MB_BENCH_NETSUITE_SECRET;
if (!secret) throw new Error('MB_BENCH_NETSUITE_SECRET is not set');

let shift = 0;
/** Real time, moved: the clock runs at the real pace from the instant given (so pacing and waits are real). */
const moveTo = (instant: string) => (shift = Date.parse(instant) - Date.now());
const clock: Clock = { now: () => new Date(Date.now() + shift) };
// October has ended (billing refuses a month that has not); `bill` moves past the grace period to finalize.
moveTo(values.mode === 'reconcile' || values.mode === 'bare' ? '2026-11-10T00:00:00Z' : '2026-11-02T00:00:00Z');
const seconds = (since: number) => (performance.now() - since) / 1000;

const config = loadConfig({
  flags: { ...(values.store === 'postgres' ? { databaseUrl: target } : { dataDir: target }), logLevel: 'silent' },
});

async function openApp(): Promise<App> {
  return createApp(config, { clock, secrets: async () => secret as string });
}

/** While the store is filled and posted, the target's limits leave the emulator (unlimited) to set the pace. */
const SETUP_LIMITS = { requestsPerSecond: 10_000, concurrency: 16 };

async function load(): Promise<void> {
  const app = await openApp();
  let started = performance.now();
  const applied = await app.catalog.apply(
    reconcileCatalogJson(subscriptions, values['emulator-url'] as string, SETUP_LIMITS),
    'catalog.json',
    'reconcile-bench',
  );
  const catalogSeconds = seconds(started);
  started = performance.now();
  let loaded = 0;
  for (let from = 0; from < records; from += COPY_BATCH)
    loaded += await app.db.copyIn(
      'usage_records',
      USAGE_COLUMNS,
      usageCopyText(from, Math.min(records, from + COPY_BATCH), subscriptions, applied.version.version),
    );
  if (loaded !== records) throw new Error(`load: COPY wrote ${loaded} usage records, expected ${records}`);
  const copySeconds = seconds(started);
  started = performance.now();
  await app.db.exec('analyze usage_records');
  const analyzeSeconds = seconds(started);
  await app.close();
  console.log(JSON.stringify({ catalogSeconds, copySeconds, analyzeSeconds }));
}

export interface BillResult {
  /** The period's billing run, in this process: the baseline. */
  billingSeconds: number;
  invoices: number;
  finalizeSeconds: number;
  finalized: number;
  drainSeconds: number;
  delivered: number;
  catalogSeconds: number;
}

async function bill(): Promise<void> {
  const app = await openApp();
  await app.catalog.current();
  let started = performance.now();
  const run = await app.billing.run(PERIOD, 'reconcile-bench');
  const billingSeconds = seconds(started);
  const invoices = subscriptions + REFERENCE_INVOICES;
  if (run.invoices.created !== invoices)
    throw new Error(`the billing run drafted ${JSON.stringify(run.invoices)}, expected ${invoices} created`);

  // Past the grace period (72 hours) of every draft, as the billing worker would find them.
  moveTo('2026-11-06T00:00:00Z');
  started = performance.now();
  const finalize = await app.billing.finalizeDue('reconcile-bench');
  const finalizeSeconds = seconds(started);
  if (finalize.finalized.length !== invoices || finalize.skipped.length > 0)
    throw new Error(
      `finalizeDue finalized ${finalize.finalized.length} of ${invoices} drafts, skipped ${JSON.stringify(finalize.skipped.slice(0, 3))}`,
    );

  // The dispatcher as the posting worker steps it, until the outbox is empty.
  const count = await app.db.query<{ n: string }>(`select count(*)::text as n from postings`);
  const postings = Number(count.rows[0]?.n);
  if (postings !== invoices)
    throw new Error(`${postings} postings for ${invoices} finalized invoices, expected one each`);
  started = performance.now();
  const timeoutMs = 1000 * Number(values['timeout-seconds']);
  let delivered = 0;
  while (delivered < postings) {
    if (seconds(started) * 1000 > timeoutMs)
      throw new Error(`only ${delivered} of ${postings} postings delivered after ${timeoutMs / 1000} s`);
    const more = await app.dispatcher.advance(200);
    const summary = app.dispatcher.takeSummary();
    if (summary.dead > 0) {
      const why = await app.db.query<{ message: string; error_path: string | null }>(
        `select a.message, a.error_path from posting_attempts a join postings p on p.id = a.posting_id
          where p.status = 'dead' order by a.posting_id limit 1`,
      );
      throw new Error(`${summary.dead} posting(s) went to the dead-letter queue: ${JSON.stringify(why.rows[0])}`);
    }
    delivered += summary.delivered + summary.adopted;
    if (!more) await sleep(200);
  }
  await app.dispatcher.drain();
  const drainSeconds = seconds(started);

  // The timed runs read back at the target's limits: R.
  started = performance.now();
  await app.catalog.apply(
    reconcileCatalogJson(subscriptions, values['emulator-url'] as string, { requestsPerSecond: RATE, concurrency: 16 }),
    'catalog.json',
    'reconcile-bench',
  );
  const catalogSeconds = seconds(started);
  await app.close();
  const result: BillResult = {
    billingSeconds,
    invoices: run.invoices.created,
    finalizeSeconds,
    finalized: finalize.finalized.length,
    drainSeconds,
    delivered,
    catalogSeconds,
  };
  console.log(JSON.stringify(result));
}

export interface ReconcileResult {
  seconds: number;
  summary: { mismatches: number; clean: boolean; postingsRead: number; readRequests: number; unverified: unknown[] };
  totals: StageTotals[];
  rows: number;
  /** The first mismatches, when there are any. */
  mismatches: unknown[];
  /** Seconds the store's statements took, by kind (verb and table), slowest first; the rest is JavaScript and the read-back. */
  statements: [kind: string, seconds: number][];
  /** The read-back's requests seen from this process: count, from the first's start to the last's answer, their pace, the most in one second. */
  readBack: { requests: number; seconds: number; perSecond: number; peakSecond: number };
}

/** A statement's kind, for where the run's time goes: its table and what it does. */
function kindOf(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim().toLowerCase();
  if (/^(begin|commit|rollback)/.test(text)) return 'begin/commit';
  const verb = /^(select|insert|update|delete|with)/.exec(text)?.[1] ?? text.slice(0, 12);
  const table = /\b(?:from|into|update)\s+([a-z_]+)/.exec(text)?.[1] ?? '?';
  return `${verb === 'with' ? 'select' : verb} ${table}`;
}

/**
 * The read-back's requests as the process sends them (the connector uses Node's fetch): how many, their
 * pace (requests after the first ÷ the time from the first's start to the last's), from the first's start
 * to the last's answer, and the most that started within any one second (what a sliding second counts).
 */
function watchRequests(prefix: string): () => ReconcileResult['readBack'] {
  const starts: number[] = [];
  let lastEnd = 0;
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith(prefix)) return original(input, init);
    starts.push(performance.now());
    try {
      return await original(input, init);
    } finally {
      lastEnd = performance.now();
    }
  };
  return () => {
    globalThis.fetch = original;
    let peak = 0;
    for (let first = 0, last = 0; last < starts.length; last += 1) {
      while ((starts[last] as number) - (starts[first] as number) >= 1000) first += 1;
      peak = Math.max(peak, last - first + 1);
    }
    const first = starts[0] ?? 0;
    const span = ((starts.at(-1) ?? 0) - first) / 1000;
    return {
      requests: starts.length,
      seconds: starts.length === 0 ? 0 : (lastEnd - first) / 1000,
      perSecond: span > 0 ? (starts.length - 1) / span : NaN,
      peakSecond: peak,
    };
  };
}

async function reconcile(): Promise<void> {
  const statements = new Map<string, number>();
  let timing = false;
  const note = (label: string, took: number) => {
    if (timing) statements.set(label, (statements.get(label) ?? 0) + took);
  };
  const store = await openStore(config);
  const db = timedDatabase(store, {
    statement: (sql, took) => note(kindOf(sql), took),
    javascript: () => undefined,
    commit: (took) => note('begin/commit', took),
  });
  const app = await createApp(config, { db, clock, secrets: async () => secret as string });
  await app.catalog.current();
  const requests = watchRequests(values['emulator-url'] as string);
  timing = true;
  const started = performance.now();
  const report = await app.reconciliations.run({ period: PERIOD }, 'bench');
  const took = seconds(started);
  timing = false;
  const readBack = requests();
  await app.close();
  await store.close();
  const result: ReconcileResult = {
    seconds: took,
    summary: report.summary as ReconcileResult['summary'],
    totals: report.totals as ReconcileResult['totals'],
    rows: report.rows.length,
    mismatches: report.mismatches.slice(0, 5),
    statements: [...statements].sort((a, b) => b[1] - a[1]),
    readBack,
  };
  console.log(JSON.stringify(result));
}

export interface BareResult {
  seconds: number;
  requests: number;
  read: number;
  held: number;
}

async function bare(): Promise<void> {
  const app = await openApp();
  const definition = (await app.catalog.current())?.catalog.targets?.find((one) => one.key === NETSUITE_TARGET);
  if (!definition) throw new Error(`the catalog has no target ${NETSUITE_TARGET}`);
  const delivered = await app.db.query<{ body: PostingBody; created_at: Date | string }>(
    `select body, created_at from postings where status = 'delivered' and target_key = $1 order by id`,
    [NETSUITE_TARGET],
  );
  await app.close();
  const connector = createNetSuiteConnector(definition, async () => secret as string, createNetSuiteContext());
  const reader = createPacedReader(connector, createTargetPace(definition.limits.requestsPerSecond));
  const started = performance.now();
  let held = 0;
  for (let from = 0; from < delivered.rows.length; from += reader.batchSize) {
    const batch = delivered.rows.slice(from, from + reader.batchSize);
    const result = await reader.read(batch.map((row) => ({ body: row.body, queuedAt: new Date(row.created_at) })));
    if (result.outcome !== 'read') throw new Error(`the bare read-back failed: ${result.reason}`);
    held += result.held.filter((id) => id !== null).length;
  }
  const result: BareResult = {
    seconds: seconds(started),
    requests: reader.requests(),
    read: delivered.rows.length,
    held,
  };
  console.log(JSON.stringify(result));
}

if (values.mode === 'load') await load();
else if (values.mode === 'bill') await bill();
else if (values.mode === 'reconcile') await reconcile();
else if (values.mode === 'bare') await bare();
else throw new Error(`--mode must be load, bill, reconcile or bare, not ${String(values.mode)}`);
