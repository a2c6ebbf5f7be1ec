import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Decimal } from 'decimal.js';
import { startNetSuiteEmulator } from '../src/emulators/netsuite/index.js';
import { checkLedger } from '../test/harness/netsuite-test-ledger.js';
import { fmt, median, nodeScript, progress, rate, withDatabases } from './bench-support.js';
import { expectedTotal } from './posting-bodies.js';
import type { PostingPhaseResult } from './posting-process.js';

/**
 * npm run bench:posting [-- --postings N --rate R --runs K --stores pglite,postgres --phases ceiling,at-rate,over-rate]
 * For each store and run, each phase on a fresh store and a fresh NetSuite emulator (in this process;
 * the dispatcher runs in a process of its own, bench/posting-process.ts):
 *  - ceiling: the emulator unlimited (no rate limit, concurrency 1,000), the target's limits generous
 *    (100,000 requests/s, concurrency 16): the dispatcher's own postings/s, the baseline;
 *  - at-rate: the emulator limited to R requests/s over a sliding second, the target configured at R;
 *  - over-rate: the same emulator, the target configured at 2R: the emulator answers 429 and the
 *    dispatcher's adaptive cap and backoff must hold the pace.
 * N ERP invoice postings are enqueued through the outbox directly (not timed): finalizing real
 * invoices is what bench:billing measures. Every phase must leave the emulator holding each invoice
 * exactly once, the totals to the cent.
 */
const { values: args } = parseArgs({
  options: {
    postings: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '100' },
    runs: { type: 'string', default: '3' },
    stores: { type: 'string', default: 'pglite,postgres' },
    phases: { type: 'string', default: 'ceiling,at-rate,over-rate' },
    concurrency: { type: 'string', default: '16' },
    'poll-ms': { type: 'string', default: '1000' },
    'database-url': {
      type: 'string',
      default: process.env.MB_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const POSTINGS = Number(args.postings);
const RATE = Number(args.rate);
const RUNS = Number(args.runs);
const CONCURRENCY = Number(args.concurrency);
const PHASES = args.phases.split(',') as Phase[];

type Store = 'pglite' | 'postgres';
type Phase = 'ceiling' | 'at-rate' | 'over-rate';

const PHASE_SETTINGS: Record<Phase, { emulatorRate: number | undefined; targetRate: number; label: string }> = {
  ceiling: { emulatorRate: undefined, targetRate: 100_000, label: 'ceiling (unlimited)' },
  'at-rate': { emulatorRate: RATE, targetRate: RATE, label: `at R: target ${RATE}/s` },
  'over-rate': { emulatorRate: RATE, targetRate: 2 * RATE, label: `over R: target ${2 * RATE}/s` },
};

interface PhaseResult extends PostingPhaseResult {
  phase: Phase;
  /** From the emulator: requests, 429s it answered, records held, duplicates, totals. */
  requests: number;
  rateLimited: number;
  held: number;
  duplicates: number;
  totalMatches: boolean;
}

/** Seconds a phase may take before it is failed: generous, but bounded. */
const timeoutSeconds = (phase: Phase) =>
  phase === 'ceiling' ? Math.max(300, POSTINGS / 20) : Math.max(300, (4 * POSTINGS) / RATE);

async function runPhase(store: Store, target: string, phase: Phase, seed: number): Promise<PhaseResult> {
  const settings = PHASE_SETTINGS[phase];
  const emulator = await startNetSuiteEmulator({
    seed,
    faults: { concurrency: 1000, ratePerSecond: settings.emulatorRate },
  });
  try {
    const { consumerKey, consumerSecret, tokenId, tokenSecret } = emulator.credentials;
    const timeout = timeoutSeconds(phase);
    const result = await nodeScript<PostingPhaseResult>(
      './posting-process.js',
      [
        ...['--store', store, '--target', target, '--postings', String(POSTINGS)],
        ...['--emulator-url', emulator.url, '--rps', String(settings.targetRate)],
        ...['--concurrency', String(CONCURRENCY), '--poll-ms', args['poll-ms'], '--timeout-seconds', String(timeout)],
      ],
      {
        env: { MB_BENCH_NETSUITE_SECRET: JSON.stringify({ consumerKey, consumerSecret, tokenId, tokenSecret }) },
        // Migrations and the (untimed) enqueue come on top of the phase's own bound.
        timeoutMs: 1000 * (timeout + 300),
      },
    );
    const records = emulator.records();
    const ledger = checkLedger(records);
    const duplicates = [...ledger.recordsPerExternalId.values()].reduce((sum, count) => sum + count - 1, 0);
    let total = new Decimal(0);
    for (const record of records) {
      const items = (record.item as { items?: Array<{ amount?: number }> } | undefined)?.items ?? [];
      for (const item of items) total = total.plus(String(item.amount ?? 0));
    }
    const stats = emulator.stats();
    const checked: PhaseResult = {
      ...result,
      phase,
      requests: stats.requests,
      rateLimited: stats.outcomes.rateLimited + stats.outcomes.concurrencyLimited,
      held: ledger.recordsPerExternalId.size,
      duplicates,
      totalMatches: total.toFixed(2) === expectedTotal(POSTINGS),
    };
    if (checked.held !== POSTINGS || duplicates !== 0 || !checked.totalMatches)
      throw new Error(
        `${store} ${phase}: the emulator holds ${checked.held} of ${POSTINGS} invoices, ${duplicates} duplicate(s), total ${total.toFixed(2)} (expected ${expectedTotal(POSTINGS)})`,
      );
    return checked;
  } finally {
    await emulator.close();
  }
}

const perSecond = (r: PhaseResult) => r.delivered / r.seconds;
const ms = (seconds: number) => `${Math.round(seconds * 1000)} ms`;
const secs = (seconds: number) => `${seconds.toFixed(1)} s`;

function describe(r: PhaseResult, ceiling: number | undefined): string {
  const ratio = ceiling === undefined ? '' : `, ${(perSecond(r) / ceiling).toFixed(2)} of the ceiling`;
  const utilization = r.phase === 'ceiling' ? '' : `, utilization ${(perSecond(r) / RATE).toFixed(3)} of R`;
  return (
    `${PHASE_SETTINGS[r.phase].label}: ${rate(perSecond(r))} (${fmt(r.delivered)} in ${secs(r.seconds)})${utilization}${ratio}; ` +
    `${fmt(r.attempts)} attempts, ${fmt(r.throttled)} answered 429 (emulator: ${fmt(r.rateLimited)}), ${fmt(r.otherFailures)} other failures; ` +
    `send -> delivered p50 ${ms(r.sendToDelivered.p50)} p99 ${ms(r.sendToDelivered.p99)} max ${ms(r.sendToDelivered.max)}; ` +
    `start -> delivered p50 ${secs(r.startToDelivered.p50)} p99 ${secs(r.startToDelivered.p99)}; ${r.steps} steps, cap and rate at the end ${r.finalCap}, ${r.finalRate === null ? 'the limit' : `${r.finalRate.toFixed(1)}/s`}; ` +
    `duplicates ${r.duplicates}`
  );
}

async function runStore(store: Store, run: number): Promise<PhaseResult[]> {
  const results: PhaseResult[] = [];
  const runPhases = async (targets: string[]) => {
    for (const [index, phase] of PHASES.entries()) {
      progress(`${store} run ${run + 1}/${RUNS}: ${phase} (${fmt(POSTINGS)} postings)...`);
      const result = await runPhase(store, targets[index] as string, phase, 1000 * run + index);
      const ceiling = results.find((r) => r.phase === 'ceiling');
      progress(`  ${describe(result, ceiling && perSecond(ceiling))}`);
      results.push(result);
    }
  };
  if (store === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'mb-posting-bench-'));
    try {
      await runPhases(PHASES.map((phase) => join(dir, phase)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    await withDatabases(args['database-url'], PHASES.length, runPhases);
  }
  return results;
}

function report(store: Store, runs: PhaseResult[][]): string[] {
  const label = store === 'pglite' ? 'PGlite (embedded, file-backed)' : 'PostgreSQL server';
  console.log(`\n${label}: ${fmt(POSTINGS)} postings, R = ${RATE}/s, median of ${runs.length} run(s)`);
  const rows: string[] = [];
  for (const phase of PHASES) {
    const of = runs.map((run) => run.find((r) => r.phase === phase)).filter((r): r is PhaseResult => !!r);
    if (of.length === 0) continue;
    const ratios = runs
      .map((run) => {
        const mine = run.find((r) => r.phase === phase);
        const ceiling = run.find((r) => r.phase === 'ceiling');
        return mine && ceiling ? perSecond(mine) / perSecond(ceiling) : NaN;
      })
      .filter((ratio) => !Number.isNaN(ratio));
    const m = (pick: (r: PhaseResult) => number) => median(of.map(pick));
    const speed = m(perSecond);
    const utilization = phase === 'ceiling' ? '—' : (speed / RATE).toFixed(3);
    console.log(
      `  ${PHASE_SETTINGS[phase].label.padEnd(24)} ${rate(speed)} (runs: ${of.map((r) => rate(perSecond(r))).join(', ')})` +
        `${phase === 'ceiling' ? '' : `, utilization ${utilization} (runs: ${of.map((r) => (perSecond(r) / RATE).toFixed(3)).join(', ')})`}` +
        `, ratio to the ceiling ${ratios.length ? median(ratios).toFixed(2) : 'n/a'}`,
    );
    rows.push(
      `| ${label} | ${PHASE_SETTINGS[phase].label} | ${fmt(speed)} | ${utilization} | ${ratios.length ? median(ratios).toFixed(2) : 'n/a'} | ` +
        `${fmt(m((r) => r.throttled))} | ${fmt(m((r) => r.attempts))} | ${ms(m((r) => r.sendToDelivered.p50))} / ${ms(m((r) => r.sendToDelivered.p99))} | ` +
        `${secs(m((r) => r.startToDelivered.p50))} / ${secs(m((r) => r.startToDelivered.p99))} | ${Math.max(...of.map((r) => r.duplicates))} |`,
    );
  }
  return rows;
}

async function main(): Promise<void> {
  const stores = args.stores.split(',') as Store[];
  for (const store of stores)
    if (store !== 'pglite' && store !== 'postgres') throw new Error(`unknown store ${String(store)}`);
  for (const phase of PHASES) if (!(phase in PHASE_SETTINGS)) throw new Error(`unknown phase ${phase}`);
  console.log(
    `Posting: ${fmt(POSTINGS)} ERP invoice postings enqueued straight into the outbox (finalizing real invoices is bench:billing's measure), ` +
      `delivered by the dispatcher to the NetSuite emulator over HTTP with TBA; R = ${RATE} requests/s, target concurrency ${CONCURRENCY}.`,
  );
  const results = new Map<Store, PhaseResult[][]>(stores.map((store) => [store, []]));
  // Runs alternate between the stores, so that a run cut short still leaves figures for each.
  for (let run = 0; run < RUNS; run += 1)
    for (const store of stores) results.get(store)?.push(await runStore(store, run));
  const rows = stores.flatMap((store) => report(store, results.get(store) ?? []));
  console.log(
    `\n| store | phase | delivered/s | utilization of R | ratio to ceiling | 429s | attempts | send → delivered p50 / p99 | start → delivered p50 / p99 | duplicates |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
}

await main();
