import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { openStore } from '../src/platform/database/open-store.js';
import { ceilingPerSecond, fmt, median, nodeScript, progress, rate, withDatabases } from './bench-support.js';
import { chunk } from './event-generator.js';
import {
  DEFAULT_BENCH_CUSTOMERS,
  expectedOutcomes,
  generateMeteringEvents,
  meteringCatalogJson,
} from './metering-events.js';
import type { StageBreakdown, StageResult } from './metering-stage-process.js';
import {
  bucketQuantile,
  percentileOf,
  runPacedLoad,
  scrapeMetering,
  type MeteringScrape,
  type PacedLoadResult,
} from './metering-steady.js';
import { startServerProcess } from './server-process.js';

/**
 * npm run bench:metering [-- --events N --runs R --stores pglite,postgres --rate 10000 --seconds 30 --phases ceiling,stage,steady]
 * For each store and run, each on a fresh store:
 *  1. ceiling: the ingestion ceiling exactly as bench:ingest measures it (bench/ceiling-process.ts);
 *  2. stage:   N events the reference catalog meters loaded (not timed), then
 *              `metering.stage.runUntilCaughtUp()` timed in a process of its own, counts checked;
 *  3. steady:  `meterbridge serve` with its metering worker, events sent over HTTP at a steady rate,
 *              lag sampled from /metrics every second, acceptance -> usage delay from the histogram
 *              and exactly from the database.
 */
const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    stores: { type: 'string', default: 'pglite,postgres' },
    phases: { type: 'string', default: 'ceiling,stage,steady' },
    rate: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '30' },
    'steady-batch': { type: 'string', default: '100' },
    connections: { type: 'string', default: '16' },
    customers: { type: 'string', default: String(DEFAULT_BENCH_CUSTOMERS) },
    'metering-batch-size': { type: 'string' },
    'database-url': {
      type: 'string',
      default: process.env.MB_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const TOTAL = Number(args.events);
const RUNS = Number(args.runs);
const PHASES = args.phases.split(',');
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const STEADY_BATCH = Number(args['steady-batch']);
const CONNECTIONS = Number(args.connections);
const CUSTOMERS = Number(args.customers);
const CEILING_BATCH = 1000;
const ADMIN_KEY = `bench-admin-key-${'x'.repeat(32)}`;
const meteringBatchArgs = args['metering-batch-size'] ? ['--metering-batch-size', args['metering-batch-size']] : [];

type Store = 'pglite' | 'postgres';

const secs = (s: number) =>
  Number.isFinite(s) ? `${s < 10 ? s.toFixed(3) : s.toFixed(1)} s` : s > 0 ? '> 300 s' : 'n/a';
/** The ingestion ceiling exactly as bench:ingest measures it, from the same run. */
const ceilingPhase = (store: Store, targets: [string, string], seed: string) =>
  ceilingPerSecond(store, targets, TOTAL, CEILING_BATCH, seed);

async function stagePhase(store: Store, target: string, seed: string): Promise<StageResult> {
  const common = [
    '--store',
    store,
    '--target',
    target,
    '--events',
    String(TOTAL),
    '--seed',
    seed,
    '--customers',
    String(CUSTOMERS),
  ];
  const batch = args['metering-batch-size'] ? ['--batch-size', args['metering-batch-size']] : [];
  const load = await nodeScript<{ seconds: number }>('./metering-stage-process.js', ['--mode', 'load', ...common]);
  progress(`  loaded ${fmt(TOTAL)} events in ${load.seconds.toFixed(1)} s (not timed); metering...`);
  return nodeScript<StageResult>('./metering-stage-process.js', ['--mode', 'stage', ...common, ...batch]);
}

interface SteadyResult {
  load: PacedLoadResult;
  maxLagEvents: number;
  p99LagEvents: number;
  maxLagSeconds: number;
  p99LagSeconds: number;
  /** From the histogram: the bucket bound where the cumulative count passes 50 % / 99 %. */
  bucketP50: number;
  bucketP99: number;
  /** Exactly, from usage_records (derived_at - received_at). */
  dbP50: number;
  dbP99: number;
  /** Seconds from the last request's answer until the stage had metered everything. */
  drainSeconds: number;
  caughtUp: boolean;
  usageRecords: number;
}

function numbers(value: unknown): number[] {
  if (Array.isArray(value)) return value.map(Number);
  return String(value).replace(/[{}]/g, '').split(',').map(Number);
}

async function steadyPhase(store: Store, target: string, bodies: readonly string[]): Promise<SteadyResult> {
  const location = store === 'postgres' ? { databaseUrl: target, dataDir: '' } : { dataDir: target };
  const serverArgs = store === 'postgres' ? ['--database-url', target] : ['--data-dir', target];
  const server = await startServerProcess([...serverArgs, ...meteringBatchArgs], { MB_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
  const events = bodies.length * STEADY_BATCH;
  let stopped = false;
  try {
    const applied = await fetch(`${server.baseUrl}/v1/catalog`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: meteringCatalogJson(CUSTOMERS),
    });
    if (applied.status !== 201)
      throw new Error(`catalog apply answered ${applied.status}: ${(await applied.text()).slice(0, 500)}`);

    const samples: MeteringScrape[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const tick = sleep(1000);
        samples.push(await scrapeMetering(server.baseUrl));
        await tick;
      }
    })();
    progress(
      `  sending ${fmt(events)} events at ${rate(RATE)} for ${SECONDS} s (${STEADY_BATCH} per request, ${CONNECTIONS} connections)...`,
    );
    const load = await runPacedLoad(`${server.baseUrl}/v1/events`, ADMIN_KEY, bodies, STEADY_BATCH, RATE, CONNECTIONS);
    if (load.accepted !== events) throw new Error(`accepted ${load.accepted} of ${events} events`);
    const sent = performance.now();
    const deadline = sent + Math.max(120, 10 * SECONDS) * 1000;
    let last = await scrapeMetering(server.baseUrl);
    while ((last.outcomes < events || last.lagEvents > 0) && performance.now() < deadline) {
      await sleep(100);
      last = await scrapeMetering(server.baseUrl);
    }
    const drainSeconds = (performance.now() - sent) / 1000;
    const caughtUp = last.outcomes >= events && last.lagEvents === 0;
    sampling = false;
    await sampler;
    samples.push(last);
    await server.stop();
    stopped = true;

    const db = await openStore(location);
    let dbP50 = NaN;
    let dbP99 = NaN;
    let usageRecords = 0;
    try {
      const result = await db.query<{ p: unknown; n: string }>(
        `select percentile_cont(array[0.5, 0.99]) within group (order by extract(epoch from derived_at - received_at)) as p, count(*)::text as n
           from usage_records`,
      );
      const row = result.rows[0] as { p: unknown; n: string };
      [dbP50 = NaN, dbP99 = NaN] = numbers(row.p);
      usageRecords = Number(row.n);
    } finally {
      await db.close();
    }
    const expected = expectedOutcomes(events).usage;
    if (caughtUp && usageRecords !== expected)
      throw new Error(`steady: the store holds ${usageRecords} usage records, expected ${expected}`);
    const lagEvents = samples.map((s) => s.lagEvents).sort((a, b) => a - b);
    const lagSeconds = samples.map((s) => s.lagSeconds).sort((a, b) => a - b);
    return {
      load,
      maxLagEvents: lagEvents.at(-1) ?? 0,
      p99LagEvents: percentileOf(lagEvents, 0.99),
      maxLagSeconds: lagSeconds.at(-1) ?? 0,
      p99LagSeconds: percentileOf(lagSeconds, 0.99),
      bucketP50: bucketQuantile(last.delayBuckets, 0.5),
      bucketP99: bucketQuantile(last.delayBuckets, 0.99),
      dbP50,
      dbP99,
      drainSeconds,
      caughtUp,
      usageRecords,
    };
  } finally {
    if (!stopped) await server.stop();
  }
}

interface RunResult {
  ceiling?: number;
  stage?: StageResult;
  steady?: SteadyResult;
}

interface Summary {
  store: string;
  ceiling: number;
  stageRecords: number;
  stageEvents: number;
  ratio: number;
  steadyRate: number;
  dbP50: number;
  dbP99: number;
  bucketP50: number;
  bucketP99: number;
  maxLagEvents: number;
  maxLagSeconds: number;
}

function report(label: string, runs: RunResult[]): Summary {
  const pick = <T>(f: (r: RunResult) => T | undefined) => runs.map(f).filter((v): v is T => v !== undefined);
  const ceilings = pick((r) => r.ceiling);
  const stages = pick((r) => r.stage);
  const steadies = pick((r) => r.steady);
  const summary: Summary = {
    store: label,
    ceiling: median(ceilings),
    stageRecords: median(stages.map((s) => s.usage / s.seconds)),
    stageEvents: median(stages.map((s) => s.events / s.seconds)),
    ratio: median(
      pick((r) => (r.ceiling !== undefined && r.stage ? r.stage.events / r.stage.seconds / r.ceiling : undefined)),
    ),
    steadyRate: median(steadies.map((s) => s.load.eventsPerSecond)),
    dbP50: median(steadies.map((s) => s.dbP50)),
    dbP99: median(steadies.map((s) => s.dbP99)),
    bucketP50: median(steadies.map((s) => s.bucketP50)),
    bucketP99: median(steadies.map((s) => s.bucketP99)),
    maxLagEvents: median(steadies.map((s) => s.maxLagEvents)),
    maxLagSeconds: median(steadies.map((s) => s.maxLagSeconds)),
  };
  console.log(`\n${label}: ${fmt(TOTAL)} events, ${CUSTOMERS} customers, median of ${runs.length} run(s)`);
  if (ceilings.length > 0)
    console.log(`  ceiling        ${rate(summary.ceiling)}   (runs: ${ceilings.map(rate).join(', ')})`);
  if (stages.length > 0) {
    const last = stages.at(-1) as StageResult;
    console.log(
      `  stage          ${rate(summary.stageRecords)} usage records, ${rate(summary.stageEvents)} events   (runs: ${stages.map((s) => rate(s.events / s.seconds)).join(', ')} events)`,
    );
    console.log(
      `                 last run: ${fmt(last.events)} events in ${last.seconds.toFixed(1)} s, ${last.batches} batches -> ${fmt(last.usage)} usage, ${fmt(last.exceptions)} exceptions, ${fmt(last.telemetry)} telemetry`,
    );
    const b = last.breakdown;
    const parts: Array<[string, keyof StageBreakdown]> = [
      ['read', 'read'],
      ['derive+map (JS)', 'derive'],
      ['insert usage', 'insertUsage'],
      ['insert exceptions', 'insertExceptions'],
      ['telemetry', 'telemetry'],
      ['cursor', 'cursor'],
      ['begin/commit', 'commit'],
      ['other', 'other'],
    ];
    console.log(
      `                 where the time goes (last run): ${parts.map(([name, key]) => `${name} ${((100 * b[key]) / last.seconds).toFixed(0)} %`).join(', ')}`,
    );
  }
  if (ceilings.length > 0 && stages.length > 0)
    console.log(`  ratio          stage events / ceiling = ${summary.ratio.toFixed(2)}`);
  if (steadies.length > 0) {
    const last = steadies.at(-1) as SteadyResult;
    console.log(
      `  steady         target ${rate(RATE)} for ${SECONDS} s: achieved ${rate(summary.steadyRate)}   (runs: ${steadies.map((s) => rate(s.load.eventsPerSecond)).join(', ')}; last run max ${last.load.maxBehindMs.toFixed(0)} ms behind schedule, request p50 ${last.load.p50RequestMs.toFixed(0)} ms, p99 ${last.load.p99RequestMs.toFixed(0)} ms)`,
    );
    console.log(
      `                 lag: max ${fmt(summary.maxLagEvents)} events / ${secs(summary.maxLagSeconds)}; p99 of samples ${fmt(median(steadies.map((s) => s.p99LagEvents)))} events / ${secs(median(steadies.map((s) => s.p99LagSeconds)))}`,
    );
    console.log(
      `                 acceptance -> usage delay: database p50 ${secs(summary.dbP50)}, p99 ${secs(summary.dbP99)}; histogram buckets p50 <= ${secs(summary.bucketP50)}, p99 <= ${secs(summary.bucketP99)}`,
    );
    console.log(
      `                 caught up ${last.drainSeconds.toFixed(1)} s after the last request (last run)${steadies.every((s) => s.caughtUp) ? '' : '; NOT CAUGHT UP in some run'}`,
    );
    console.log(
      `                 target p99 < 1 s at ${rate(RATE)}: ${summary.dbP99 < 1 && summary.steadyRate >= 0.97 * RATE ? 'met' : 'NOT met'}`,
    );
  }
  return summary;
}

async function runOnce(store: Store, run: number, seed: string, bodies: readonly string[]): Promise<RunResult> {
  const result: RunResult = {};
  const runPhases = async (targets: { ceiling: [string, string]; stage: string; steady: string }) => {
    for (const phase of PHASES) {
      progress(`${store} run ${run + 1}/${RUNS}: ${phase}...`);
      if (phase === 'ceiling') result.ceiling = await ceilingPhase(store, targets.ceiling, `${seed}-${run}`);
      else if (phase === 'stage') result.stage = await stagePhase(store, targets.stage, `${seed}-${run}`);
      else if (phase === 'steady') result.steady = await steadyPhase(store, targets.steady, bodies);
      else throw new Error(`unknown phase ${phase}`);
    }
  };
  if (store === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'mb-metering-bench-'));
    try {
      await runPhases({
        ceiling: [join(dir, 'unnest'), join(dir, 'copy')],
        stage: join(dir, 'stage'),
        steady: join(dir, 'steady'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    await withDatabases(args['database-url'], 4, ([unnest, copy, stage, steady]) =>
      runPhases({ ceiling: [unnest as string, copy as string], stage: stage as string, steady: steady as string }),
    );
  }
  if (result.ceiling !== undefined) progress(`  ceiling ${rate(result.ceiling)}`);
  if (result.stage)
    progress(
      `  stage ${rate(result.stage.events / result.stage.seconds)} events (${rate(result.stage.usage / result.stage.seconds)} records)`,
    );
  if (result.steady)
    progress(
      `  steady ${rate(result.steady.load.eventsPerSecond)}, delay p50 ${secs(result.steady.dbP50)} p99 ${secs(result.steady.dbP99)}, max lag ${fmt(result.steady.maxLagEvents)} events`,
    );
  return result;
}

async function main(): Promise<void> {
  const seed = `metering-bench-${process.pid}`;
  const stores = args.stores.split(',') as Store[];
  // Only serialized bodies stay in this (load generator) process.
  const bodies = PHASES.includes('steady')
    ? chunk(generateMeteringEvents(RATE * SECONDS, 0, `${seed}-steady`, CUSTOMERS), STEADY_BATCH).map((batch) =>
        JSON.stringify(batch),
      )
    : [];
  for (const store of stores)
    if (store !== 'pglite' && store !== 'postgres') throw new Error(`unknown store ${String(store)}`);
  // Runs alternate between the stores, so that a run cut short still leaves figures for each.
  const results = new Map<Store, RunResult[]>(stores.map((store) => [store, []]));
  for (let run = 0; run < RUNS; run += 1) {
    for (const store of stores) results.get(store)?.push(await runOnce(store, run, seed, bodies));
  }
  const summaries = stores.map((store) =>
    report(store === 'pglite' ? 'PGlite (embedded, file-backed)' : 'PostgreSQL server', results.get(store) ?? []),
  );
  console.log(
    `\n| store | ceiling events/s | stage records/s | stage events/s | stage / ceiling | steady achieved (target ${fmt(RATE)}/s) | delay p50 / p99 (db) | delay p50 / p99 (buckets) | max lag |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const s of summaries) {
    console.log(
      `| ${s.store} | ${fmt(s.ceiling)} | ${fmt(s.stageRecords)} | ${fmt(s.stageEvents)} | ${Number.isNaN(s.ratio) ? 'n/a' : s.ratio.toFixed(2)} | ${fmt(s.steadyRate)} | ${secs(s.dbP50)} / ${secs(s.dbP99)} | <= ${secs(s.bucketP50)} / <= ${secs(s.bucketP99)} | ${fmt(s.maxLagEvents)} events / ${secs(s.maxLagSeconds)} |`,
    );
  }
}

await main();
