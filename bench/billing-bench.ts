import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BillingBreakdown, BillingRunResult } from './billing-process.js';
import { ceilingPerSecond, fmt, median, nodeScript, progress, rate, withDatabases } from './bench-support.js';

/**
 * npm run bench:billing [-- --records N --subscriptions S --runs R --stores pglite,postgres --phases ceiling,billing]
 * For each store and run, on a fresh store:
 *  1. ceiling: the ingestion ceiling exactly as bench:ingest measures it (bench/ceiling-process.ts);
 *  2. setup (not timed): the reference catalog with S generated customers and `growth` subscriptions
 *     applied, then N October 2026 usage records COPYed into usage_records (bench/billing-usage.ts);
 *  3. billing: `app.billing.run('2026-10')` timed in a process of its own, then run again (it must
 *     change nothing); invoice count and line quantities checked against what was loaded; then 1,000
 *     drafts finalized one by one (each marks and checks the usage records it bills).
 */
const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    subscriptions: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    stores: { type: 'string', default: 'pglite,postgres' },
    phases: { type: 'string', default: 'ceiling,billing' },
    analyze: { type: 'string', default: 'true' },
    'database-url': {
      type: 'string',
      default: process.env.MB_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const RECORDS = Number(args.records);
const SUBSCRIPTIONS = Number(args.subscriptions);
const RUNS = Number(args.runs);
const PHASES = args.phases.split(',');
const CEILING_BATCH = 1000;

type Store = 'pglite' | 'postgres';

const secs = (s: number) => (Number.isNaN(s) ? 'n/a' : `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`);
/** The ingestion ceiling exactly as bench:ingest measures it, from the same run. */
const ceilingPhase = (store: Store, targets: [string, string], seed: string) =>
  ceilingPerSecond(store, targets, RECORDS, CEILING_BATCH, seed);

async function billingPhase(store: Store, target: string): Promise<BillingRunResult> {
  const common = [
    '--store',
    store,
    '--target',
    target,
    '--records',
    String(RECORDS),
    '--subscriptions',
    String(SUBSCRIPTIONS),
  ];
  const load = await nodeScript<{ catalogSeconds: number; copySeconds: number; analyzeSeconds: number }>(
    './billing-process.js',
    ['--mode', 'load', '--analyze', args.analyze, ...common],
  );
  progress(
    `  setup (not timed): catalog with ${fmt(SUBSCRIPTIONS)} subscriptions applied in ${load.catalogSeconds.toFixed(1)} s, ${fmt(RECORDS)} usage records COPYed in ${load.copySeconds.toFixed(1)} s (${rate(RECORDS / load.copySeconds)}), analyze ${load.analyzeSeconds.toFixed(1)} s; billing...`,
  );
  return nodeScript<BillingRunResult>('./billing-process.js', ['--mode', 'run', ...common]);
}

interface RunResult {
  ceiling?: number;
  billing?: BillingRunResult;
}

interface Summary {
  store: string;
  ceiling: number;
  seconds: number;
  records: number;
  invoices: number;
  rerun: number;
  /** Drafts finalized one by one, per second. */
  finalized: number;
}

const PARTS: Array<[string, keyof BillingBreakdown]> = [
  ['aggregate query', 'aggregate'],
  ['find invoice', 'findInvoice'],
  ['insert invoice', 'insertInvoice'],
  ['insert lines', 'insertLines'],
  ['plan+draft (JS)', 'draft'],
  ['begin/commit', 'commit'],
  ['other', 'other'],
];
const where = (b: BillingBreakdown, total: number) =>
  PARTS.map(([name, key]) => `${name} ${b[key].toFixed(2)} s (${((100 * b[key]) / total).toFixed(0)} %)`).join(', ');

function report(label: string, runs: RunResult[]): Summary {
  const ceilings = runs.map((r) => r.ceiling).filter((v): v is number => v !== undefined);
  const billings = runs.map((r) => r.billing).filter((v): v is BillingRunResult => v !== undefined);
  const summary: Summary = {
    store: label,
    ceiling: median(ceilings),
    seconds: median(billings.map((b) => b.seconds)),
    records: median(billings.map((b) => b.usageRecords / b.seconds)),
    invoices: median(billings.map((b) => b.invoices / b.seconds)),
    rerun: median(billings.map((b) => b.rerunSeconds)),
    finalized: median(billings.map((b) => b.finalize.invoices / b.finalize.seconds)),
  };
  console.log(
    `\n${label}: ${fmt(RECORDS)} usage records, ${fmt(SUBSCRIPTIONS)} subscriptions, median of ${runs.length} run(s)`,
  );
  if (ceilings.length > 0)
    console.log(`  ceiling        ${rate(summary.ceiling)} events   (runs: ${ceilings.map(rate).join(', ')})`);
  if (billings.length > 0) {
    const last = billings.at(-1) as BillingRunResult;
    console.log(
      `  billing run    ${secs(summary.seconds)}: ${rate(summary.records)} usage records, ${rate(summary.invoices)} invoices   (runs: ${billings.map((b) => secs(b.seconds)).join(', ')})`,
    );
    console.log(
      `  re-run         ${secs(summary.rerun)}, ${fmt(last.rerunSummary.unchanged)} unchanged   (runs: ${billings.map((b) => secs(b.rerunSeconds)).join(', ')})`,
    );
    console.log(
      `  finalize       ${rate(summary.finalized)} invoices one by one, ${fmt(last.finalize.marked)} usage records marked by ${fmt(last.finalize.invoices)}   (runs: ${billings.map((b) => rate(b.finalize.invoices / b.finalize.seconds)).join(', ')})`,
    );
    console.log(
      `                 where finalizing's time goes (last run, ${secs(last.finalize.seconds)}): ${last.finalize.slowest.map(([statement, took]) => `${statement} ${took.toFixed(2)} s`).join('; ')}`,
    );
    console.log(
      `                 where the run's time goes (last run, ${secs(last.seconds)}): ${where(last.breakdown, last.seconds)}`,
    );
    console.log(
      `                 where the re-run's time goes (last run, ${secs(last.rerunSeconds)}): ${where(last.rerunBreakdown, last.rerunSeconds)}`,
    );
  }
  return summary;
}

async function runOnce(store: Store, run: number, seed: string): Promise<RunResult> {
  const result: RunResult = {};
  const runPhases = async (targets: { ceiling: [string, string]; billing: string }) => {
    for (const phase of PHASES) {
      progress(`${store} run ${run + 1}/${RUNS}: ${phase}...`);
      if (phase === 'ceiling') result.ceiling = await ceilingPhase(store, targets.ceiling, `${seed}-${run}`);
      else if (phase === 'billing') result.billing = await billingPhase(store, targets.billing);
      else throw new Error(`unknown phase ${phase}`);
    }
  };
  if (store === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'mb-billing-bench-'));
    try {
      await runPhases({ ceiling: [join(dir, 'unnest'), join(dir, 'copy')], billing: join(dir, 'billing') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    await withDatabases(args['database-url'], 3, ([unnest, copy, billing]) =>
      runPhases({ ceiling: [unnest as string, copy as string], billing: billing as string }),
    );
  }
  if (result.ceiling !== undefined) progress(`  ceiling ${rate(result.ceiling)} events`);
  if (result.billing) {
    const b = result.billing;
    progress(
      `  billing ${secs(b.seconds)} (${rate(b.usageRecords / b.seconds)} records, ${rate(b.invoices / b.seconds)} invoices), re-run ${secs(b.rerunSeconds)}`,
    );
  }
  return result;
}

async function main(): Promise<void> {
  const seed = `billing-bench-${process.pid}`;
  const stores = args.stores.split(',') as Store[];
  for (const store of stores)
    if (store !== 'pglite' && store !== 'postgres') throw new Error(`unknown store ${String(store)}`);
  // Runs alternate between the stores, so that a run cut short still leaves figures for each.
  const results = new Map<Store, RunResult[]>(stores.map((store) => [store, []]));
  for (let run = 0; run < RUNS; run += 1) {
    for (const store of stores) results.get(store)?.push(await runOnce(store, run, seed));
  }
  const summaries = stores.map((store) =>
    report(store === 'pglite' ? 'PGlite (embedded, file-backed)' : 'PostgreSQL server', results.get(store) ?? []),
  );
  console.log(
    `\n| store | ceiling events/s | billing run | usage records/s | invoices/s | idempotent re-run | finalized invoices/s |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const s of summaries)
    console.log(
      `| ${s.store} | ${fmt(s.ceiling)} | ${secs(s.seconds)} | ${fmt(s.records)} | ${fmt(s.invoices)} | ${secs(s.rerun)} | ${fmt(s.finalized)} |`,
    );
}

await main();
