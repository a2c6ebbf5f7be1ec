import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Decimal } from 'decimal.js';
import { startNetSuiteEmulator, type NetSuiteEmulator } from '../src/emulators/netsuite/index.js';
import { fmt, median, nodeScript, progress, rate, withDatabases } from './bench-support.js';
import { erpIdOf, REFERENCE_ERP_IDS, REFERENCE_INVOICES } from './reconcile-catalog.js';
import type { BareResult, BillResult, ReconcileResult } from './reconcile-process.js';

/**
 * npm run bench:reconcile [-- --records N --subscriptions S --runs K --stores pglite,postgres --rate R]
 * Per store, on a fresh store and a fresh NetSuite emulator started here (the app's steps each run in a
 * process of their own, bench/reconcile-process.ts):
 *  1. setup (not timed): the reference catalog with S generated customers and subscriptions, both legal
 *     entities posted to the emulator in invoice mode; N October 2026 usage records; the period's billing
 *     run (its seconds kept: the baseline), every draft finalized, the dispatcher drained with the emulator
 *     unlimited; then the emulator limited to R requests/s (a sliding second) and the target's limits at R;
 *  2. K times (timed): `app.reconciliations.run({ period: '2026-10' })` in a process of its own, then the
 *     bare read-back of the same postings (the connector's SuiteQL look-up at the same pace, nothing else):
 *     the floor the rate limit sets. Reconciliation without repair only reads, so the runs share the store.
 * Each report must be clean: no mismatch, every usage record invoiced, invoiced == posted == verified to
 * the cent, and the emulator must have answered no 429.
 */
const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    subscriptions: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    stores: { type: 'string', default: 'pglite,postgres' },
    rate: { type: 'string', default: '100' },
    'database-url': {
      type: 'string',
      default: process.env.MB_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const RECORDS = Number(args.records);
const SUBSCRIPTIONS = Number(args.subscriptions);
const RUNS = Number(args.runs);
const RATE = Number(args.rate);
const INVOICES = SUBSCRIPTIONS + REFERENCE_INVOICES;

type Store = 'pglite' | 'postgres';

const secs = (s: number) => (Number.isNaN(s) ? 'n/a' : `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`);

interface RunResult {
  reconcile: ReconcileResult;
  bare: BareResult;
  /** What the emulator counted while the reconciliation ran: requests, and 429s it answered. */
  emulatorRequests: number;
  rateLimited: number;
  bareRateLimited: number;
}

interface StoreResult {
  setup: { load: { catalogSeconds: number; copySeconds: number; analyzeSeconds: number }; bill: BillResult };
  runs: RunResult[];
}

/** The report is clean, and its totals are what was loaded, billed and posted, to the cent. */
function checkReport(r: ReconcileResult, emulator: NetSuiteEmulator): string[] {
  const problems: string[] = [];
  if (!r.summary.clean || r.summary.mismatches !== 0 || r.summary.unverified.length > 0)
    problems.push(
      `not clean: ${r.summary.mismatches} mismatches (${JSON.stringify(r.mismatches)}), unverified ${JSON.stringify(r.summary.unverified)}`,
    );
  if (r.summary.postingsRead !== INVOICES)
    problems.push(`${r.summary.postingsRead} postings read back, expected ${INVOICES}`);
  const sum = (pick: (t: ReconcileResult['totals'][number]) => number) => r.totals.reduce((n, t) => n + pick(t), 0);
  if (sum((t) => t.usageRecords) !== RECORDS)
    problems.push(`${sum((t) => t.usageRecords)} usage records, loaded ${RECORDS}`);
  if (sum((t) => t.usageRecordsInvoiced) !== RECORDS)
    problems.push(`${sum((t) => t.usageRecordsInvoiced)} usage records invoiced, expected all ${RECORDS}`);
  if (sum((t) => t.documents) !== INVOICES) problems.push(`${sum((t) => t.documents)} documents, expected ${INVOICES}`);
  // What the emulator holds, per currency (NetSuite's ids 1 and 2), against what was invoiced.
  const held = new Map<string, Decimal>();
  for (const record of emulator.records()) {
    const currency = (record.currency as { id?: string } | undefined)?.id === '2' ? 'EUR' : 'USD';
    held.set(currency, (held.get(currency) ?? new Decimal(0)).plus(String(record.total ?? 0)));
  }
  for (const t of r.totals) {
    const posted = t.posted.netsuite ?? '0';
    const verified = t.verified.netsuite ?? '0';
    const inEmulator = (held.get(t.currency) ?? new Decimal(0)).toFixed(2);
    if (!(
      new Decimal(t.invoiced).eq(posted) &&
      new Decimal(posted).eq(verified) &&
      new Decimal(verified).eq(inEmulator)
    ))
      problems.push(
        `${t.legalEntity} ${t.currency}: invoiced ${t.invoiced}, posted ${posted}, verified ${verified}, the emulator holds ${inEmulator}`,
      );
  }
  return problems;
}

async function runStore(store: Store, target: string, seed: number): Promise<StoreResult> {
  const customers = [
    ...Object.values(REFERENCE_ERP_IDS),
    ...Array.from({ length: SUBSCRIPTIONS }, (_, i) => erpIdOf(i)),
  ];
  const emulator = await startNetSuiteEmulator({
    seed,
    chart: { customers, items: ['10', '11', '12', '13'], taxItems: ['90'] },
    // Unlimited while the store is filled and posted.
    faults: { concurrency: 1000, ratePerSecond: undefined },
  });
  try {
    const { consumerKey, consumerSecret, tokenId, tokenSecret } = emulator.credentials;
    const env = { MB_BENCH_NETSUITE_SECRET: JSON.stringify({ consumerKey, consumerSecret, tokenId, tokenSecret }) };
    const common = [
      ...['--store', store, '--target', target, '--records', String(RECORDS)],
      ...['--subscriptions', String(SUBSCRIPTIONS), '--emulator-url', emulator.url, '--rate', String(RATE)],
    ];
    const step = <T>(mode: string) => nodeScript<T>('./reconcile-process.js', ['--mode', mode, ...common], { env });

    progress(`${store}: setup (not timed): catalog and ${fmt(RECORDS)} usage records...`);
    const load = await step<StoreResult['setup']['load']>('load');
    progress(
      `  catalog with ${fmt(SUBSCRIPTIONS)} subscriptions ${secs(load.catalogSeconds)}, COPY ${secs(load.copySeconds)}, analyze ${secs(load.analyzeSeconds)}; billing, finalizing and posting...`,
    );
    const bill = await step<BillResult>('bill');
    progress(
      `  billing run ${secs(bill.billingSeconds)} (${fmt(bill.invoices)} drafts), finalizeDue ${secs(bill.finalizeSeconds)} (${rate(bill.finalized / bill.finalizeSeconds)}), ` +
        `${fmt(bill.delivered)} invoices posted to the emulator in ${secs(bill.drainSeconds)} (${rate(bill.delivered / bill.drainSeconds)})`,
    );
    if (emulator.records().length !== INVOICES)
      throw new Error(`the emulator holds ${emulator.records().length} records, expected ${INVOICES}`);

    emulator.setFaults({ ratePerSecond: RATE });
    const runs: RunResult[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      // A sliding second: nothing earlier counts against the run.
      await sleep(1100);
      progress(`${store} run ${run + 1}/${RUNS}: reconcile...`);
      let before = emulator.stats();
      const reconcile = await step<ReconcileResult>('reconcile');
      await sleep(1100);
      let after = emulator.stats();
      const emulatorRequests = after.requests - before.requests;
      const rateLimited =
        after.outcomes.rateLimited +
        after.outcomes.concurrencyLimited -
        before.outcomes.rateLimited -
        before.outcomes.concurrencyLimited;
      const problems = checkReport(reconcile, emulator);
      if (rateLimited > 0) problems.push(`the emulator answered ${rateLimited} 429s`);
      if (problems.length > 0)
        throw new Error(`${store} run ${run + 1}: the report is wrong:\n  ${problems.join('\n  ')}`);
      before = after;
      const bare = await step<BareResult>('bare');
      after = emulator.stats();
      const bareRateLimited =
        after.outcomes.rateLimited +
        after.outcomes.concurrencyLimited -
        before.outcomes.rateLimited -
        before.outcomes.concurrencyLimited;
      if (bare.held !== INVOICES) throw new Error(`the bare read-back found ${bare.held} of ${INVOICES} invoices`);
      const result: RunResult = { reconcile, bare, emulatorRequests, rateLimited, bareRateLimited };
      runs.push(result);
      progress(`  ${describe(result, bill)}`);
    }
    return { setup: { load, bill }, runs };
  } finally {
    await emulator.close();
  }
}

function describe(r: RunResult, bill: BillResult): string {
  const rc = r.reconcile;
  const rb = rc.readBack;
  return (
    `reconcile ${secs(rc.seconds)} (${rate(RECORDS / rc.seconds)} usage records, ${rate(INVOICES / rc.seconds)} documents), clean; ` +
    `${rc.summary.readRequests} read requests (emulator: ${r.emulatorRequests}, 429s ${r.rateLimited}), ` +
    `read-back ${secs(rb.seconds)} at ${(rb.perSecond / RATE).toFixed(3)} of R (peak second ${(rb.peakSecond / RATE).toFixed(2)}); ` +
    `bare read-back ${secs(r.bare.seconds)} (429s ${r.bareRateLimited}); ratio to the billing run (${secs(bill.billingSeconds)}) ${(rc.seconds / bill.billingSeconds).toFixed(2)}; ` +
    `statements: ${rc.statements
      .slice(0, 5)
      .map(([kind, took]) => `${kind} ${took.toFixed(2)} s`)
      .join(', ')}`
  );
}

interface Summary {
  label: string;
  runs: number;
  seconds: number;
  recordsPerSecond: number;
  documentsPerSecond: number;
  readRequests: number;
  readBackSeconds: number;
  use: number;
  peak: number;
  rateLimited: number;
  billing: number;
  ratio: number;
  bare: number;
  setup: string;
}

function summarize(store: Store, result: StoreResult): Summary {
  const label = store === 'pglite' ? 'PGlite (embedded, file-backed)' : 'PostgreSQL server';
  const runs = result.runs;
  const m = (pick: (r: RunResult) => number) => median(runs.map(pick));
  const { load, bill } = result.setup;
  const summary: Summary = {
    label,
    runs: runs.length,
    seconds: m((r) => r.reconcile.seconds),
    recordsPerSecond: m((r) => RECORDS / r.reconcile.seconds),
    documentsPerSecond: m((r) => INVOICES / r.reconcile.seconds),
    readRequests: m((r) => r.reconcile.summary.readRequests),
    readBackSeconds: m((r) => r.reconcile.readBack.seconds),
    use: m((r) => r.reconcile.readBack.perSecond / RATE),
    peak: m((r) => r.reconcile.readBack.peakSecond / RATE),
    rateLimited: Math.max(...runs.map((r) => r.rateLimited)),
    billing: bill.billingSeconds,
    ratio: m((r) => r.reconcile.seconds / bill.billingSeconds),
    bare: m((r) => r.bare.seconds),
    setup:
      `catalog ${secs(load.catalogSeconds)}, COPY ${secs(load.copySeconds)}, billing run ${secs(bill.billingSeconds)}, ` +
      `finalizeDue ${secs(bill.finalizeSeconds)}, posting ${secs(bill.drainSeconds)}`,
  };
  const last = runs.at(-1) as RunResult;
  console.log(
    `\n${label}: ${fmt(RECORDS)} usage records, ${fmt(INVOICES)} invoices posted to NetSuite (invoice mode), R = ${RATE}/s, median of ${runs.length} run(s)`,
  );
  console.log(`  setup (not timed)   ${summary.setup}`);
  console.log(
    `  reconcile           ${secs(summary.seconds)} (runs: ${runs.map((r) => secs(r.reconcile.seconds)).join(', ')}): ${rate(summary.recordsPerSecond)} usage records, ${rate(summary.documentsPerSecond)} documents; clean every run`,
  );
  console.log(
    `  read-back           ${fmt(summary.readRequests)} requests in ${secs(summary.readBackSeconds)}: ${summary.use.toFixed(3)} of R (runs: ${runs
      .map((r) => (r.reconcile.readBack.perSecond / RATE).toFixed(3))
      .join(', ')}), busiest second ${summary.peak.toFixed(2)} of R; 429s ${summary.rateLimited}`,
  );
  console.log(
    `  baseline            billing run ${secs(summary.billing)}: ratio ${summary.ratio.toFixed(2)}; bare read-back of the same ids ${secs(summary.bare)}`,
  );
  console.log(
    `  where it goes       (last run, ${secs(last.reconcile.seconds)}) ${last.reconcile.statements
      .slice(0, 8)
      .map(([kind, took]) => `${kind} ${took.toFixed(2)} s`)
      .join(', ')}; read-back ${secs(last.reconcile.readBack.seconds)}`,
  );
  return summary;
}

async function main(): Promise<void> {
  const stores = args.stores.split(',') as Store[];
  for (const store of stores)
    if (store !== 'pglite' && store !== 'postgres') throw new Error(`unknown store ${String(store)}`);
  console.log(
    `Reconciliation: October 2026, ${fmt(RECORDS)} usage records of ${fmt(SUBSCRIPTIONS)} subscriptions, ${fmt(INVOICES)} invoices posted to the NetSuite emulator ` +
      `(invoice mode, TBA), read back at the target's limits R = ${RATE} requests/s with the emulator limited to R; ${RUNS} run(s) per store.`,
  );
  const summaries: Summary[] = [];
  for (const [index, store] of stores.entries()) {
    let result: StoreResult;
    if (store === 'pglite') {
      const dir = mkdtempSync(join(tmpdir(), 'mb-reconcile-bench-'));
      try {
        result = await runStore(store, join(dir, 'store'), index + 1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } else {
      result = await withDatabases(args['database-url'], 1, ([url]) => runStore(store, url as string, index + 1));
    }
    summaries.push(summarize(store, result));
  }
  console.log(
    `\n| store | reconcile | usage records/s | documents/s | read requests | read-back | use of R | 429s | billing run (baseline) | ratio | bare read-back |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const s of summaries)
    console.log(
      `| ${s.label} | ${secs(s.seconds)} | ${fmt(s.recordsPerSecond)} | ${fmt(s.documentsPerSecond)} | ${fmt(s.readRequests)} | ${secs(s.readBackSeconds)} | ${s.use.toFixed(3)} (busiest second ${s.peak.toFixed(2)}) | ${s.rateLimited} | ${secs(s.billing)} | ${s.ratio.toFixed(2)} | ${secs(s.bare)} |`,
    );
}

await main();
