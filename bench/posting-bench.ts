import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { fmt, median, nodeScript, progress, rate, withDatabases } from './bench-support.js';
import {
  BENCH_ADAPTERS,
  BENCH_KINDS,
  BENCH_TARGET,
  expectedTotals,
  isBenchKind,
  type BenchKind,
} from './posting-bodies.js';
import type { PostingPhaseResult } from './posting-process.js';

/**
 * npm run bench:posting [-- --targets netsuite,sap-s4hana,business-central,oracle-fusion,stripe --postings N --rate R
 *                          --runs K --stores pglite,postgres --phases ceiling,at-rate,over-rate[,at-delivery-rate]]
 * For each ERP target, store and run, each phase on a fresh store and a fresh emulator of the target (in this
 * process, started and faulted by the target's conformance adapter; the dispatcher runs in a process of its
 * own, bench/posting-process.ts, with the connector the adapter builds):
 *  - ceiling: the emulator unlimited, the target's limits generous (100,000 requests/s, concurrency 16):
 *    the dispatcher's own postings/s, the baseline;
 *  - at-rate: the emulator limited to R requests/s over a sliding second (each vendor's own 429), the
 *    target configured at R (`limits.requestsPerSecond`);
 *  - over-rate: the same emulator, the target configured at 2R: the emulator answers 429 and the
 *    dispatcher's adaptive cap and rate must hold the pace;
 *  - at-delivery-rate (on request only): the same emulator, the target configured at R ÷ k, k the requests a
 *    delivery sends (the run's ceiling phase): the dispatcher's rate counts deliveries, not requests.
 * Utilization is the requests the emulator accepted per second ÷ R (and its useful part, see `utilization`).
 * N postings (the adapter's balanced journal entries) are enqueued through the outbox directly (not
 * timed). Every phase must leave the emulator holding each posting exactly once, balanced, the net per
 * account to the cent. R and N default per target (TARGET_DEFAULTS); --rate and --postings set them for all.
 */
const { values: args } = parseArgs({
  options: {
    targets: { type: 'string', default: BENCH_KINDS.join(',') },
    postings: { type: 'string' },
    rate: { type: 'string' },
    runs: { type: 'string', default: '2' },
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
const RUNS = Number(args.runs);
const CONCURRENCY = Number(args.concurrency);
const PHASES = args.phases.split(',') as Phase[];

type Store = 'pglite' | 'postgres';
type Phase = 'ceiling' | 'at-rate' | 'over-rate' | 'at-delivery-rate';

/**
 * Each target's emulator limit R (requests per second) and postings per run, sized so that a throttled phase
 * takes about 30 s; `requestsPerPosting` is what one delivery sends when nothing is refused (measured by the
 * ceiling phase: NetSuite and SAP one request, Business Central a journal batch built line by line and
 * posted, Oracle Fusion an FBDI import polled to its end), used for the phases' time bounds.
 */
const TARGET_DEFAULTS: Record<BenchKind, { rate: number; postings: number; requestsPerPosting: number }> = {
  netsuite: { rate: 100, postings: 3000, requestsPerPosting: 1 },
  'sap-s4hana': { rate: 100, postings: 3000, requestsPerPosting: 1 },
  'business-central': { rate: 200, postings: 600, requestsPerPosting: 10 },
  'oracle-fusion': { rate: 200, postings: 1000, requestsPerPosting: 6 },
  // A document of two or three lines: one invoice item each.
  stripe: { rate: 100, postings: 1200, requestsPerPosting: 2.5 },
};

interface TargetSize {
  kind: BenchKind;
  rate: number;
  postings: number;
  requestsPerPosting: number;
}

const sizeOf = (kind: BenchKind): TargetSize => ({
  kind,
  ...TARGET_DEFAULTS[kind],
  ...(args.rate === undefined ? {} : { rate: Number(args.rate) }),
  ...(args.postings === undefined ? {} : { postings: Number(args.postings) }),
});

const PHASE_LABELS: Record<Phase, string> = {
  ceiling: 'ceiling (unlimited)',
  'at-rate': 'at R (target R)',
  'over-rate': 'over R (target 2R)',
  'at-delivery-rate': 'at R/k (target R ÷ k)',
};

/** `k`: the requests one delivery sends (the run's ceiling phase, else the target's estimate). */
const phaseSettings = (phase: Phase, r: number, k: number) =>
  phase === 'ceiling'
    ? { emulatorRate: undefined, targetRate: 100_000 }
    : { emulatorRate: r, targetRate: phase === 'at-rate' ? r : phase === 'over-rate' ? 2 * r : r / k };

interface PhaseResult extends PostingPhaseResult {
  phase: Phase;
  /** From the emulator: requests it answered (429s included), its 429s, documents held, duplicates. */
  requests: number;
  rateLimited: number;
  held: number;
  duplicates: number;
  unbalanced: number;
  totalsMatch: boolean;
}

/** Seconds a phase may take before it is failed: generous, but bounded. */
const timeoutSeconds = (size: TargetSize, phase: Phase) =>
  phase === 'ceiling'
    ? Math.max(300, size.postings / 5)
    : Math.max(300, (4 * size.postings * size.requestsPerPosting) / size.rate);

const expected = new Map<BenchKind, Record<string, string>>();
const expectedOf = (size: TargetSize) => {
  const known = expected.get(size.kind) ?? expectedTotals(size.kind, size.postings);
  expected.set(size.kind, known);
  return known;
};

async function runPhase(
  size: TargetSize,
  store: Store,
  target: string,
  phase: Phase,
  requestsPerPosting: number,
): Promise<PhaseResult> {
  const settings = phaseSettings(phase, size.rate, requestsPerPosting);
  const emulator = await BENCH_ADAPTERS[size.kind].start();
  try {
    // Every fault off (the adapter's start may leave its vendor's defaults on), the rate limit as the phase says.
    emulator.setFaults(settings.emulatorRate === undefined ? {} : { ratePerSecond: settings.emulatorRate });
    const definition = {
      ...emulator.target({ requestsPerSecond: settings.targetRate, concurrency: CONCURRENCY }),
      key: BENCH_TARGET,
    };
    const secret = await emulator.secrets(definition.credentials ?? '');
    const timeout = timeoutSeconds(size, phase);
    const result = await nodeScript<PostingPhaseResult>(
      './posting-process.js',
      [
        ...['--store', store, '--target', target, '--kind', size.kind, '--postings', String(size.postings)],
        ...['--poll-ms', args['poll-ms'], '--timeout-seconds', String(timeout)],
      ],
      {
        env: { MB_BENCH_TARGET_DEFINITION: JSON.stringify(definition), MB_BENCH_TARGET_SECRET: secret },
        // Migrations and the (untimed) enqueue come on top of the phase's own bound.
        timeoutMs: 1000 * (timeout + 300),
      },
    );
    const held = await emulator.held();
    const duplicates = [...held.documentsPerExternalId.values()].reduce((sum, count) => sum + count - 1, 0);
    const checked: PhaseResult = {
      ...result,
      phase,
      requests: emulator.requests(),
      rateLimited: emulator.counts().throttled,
      held: held.documentsPerExternalId.size,
      duplicates,
      unbalanced: held.unbalanced.length,
      totalsMatch: isDeepStrictEqual(held.totals, expectedOf(size)),
    };
    if (checked.held !== size.postings || duplicates !== 0 || checked.unbalanced !== 0 || !checked.totalsMatch)
      throw new Error(
        `${size.kind} ${store} ${phase}: the emulator holds ${checked.held} of ${size.postings} postings, ${duplicates} duplicate(s), ` +
          `${checked.unbalanced} unbalanced; totals ${JSON.stringify(held.totals)} (expected ${JSON.stringify(expectedOf(size))})`,
      );
    return checked;
  } finally {
    await emulator.close();
  }
}

const perSecond = (r: PhaseResult) => r.delivered / r.seconds;
/** Requests the emulator accepted (answered otherwise than 429) per second of the phase. */
const acceptedPerSecond = (r: PhaseResult) => (r.requests - r.rateLimited) / r.seconds;
/** Requests one delivery sends when nothing is refused: the run's ceiling phase, else this phase's accepted ones. */
const requestsPerPosting = (r: PhaseResult, ceiling: PhaseResult | undefined) =>
  ceiling ? ceiling.requests / ceiling.delivered : (r.requests - r.rateLimited) / r.delivered;
/**
 * Utilization of the emulator's limit R: the requests it accepted (answered otherwise than 429) per second
 * ÷ R (`limit`, the figure held to 0.9), and its useful part, deliveries per second × the requests a
 * delivery sends when nothing is refused ÷ R (`useful`: a delivery cut short by a 429 and resumed counts its
 * requests once). For a one-request target both are delivered/s ÷ R.
 */
const utilization = (r: PhaseResult, ceiling: PhaseResult | undefined, r0: number) => ({
  limit: acceptedPerSecond(r) / r0,
  useful: (perSecond(r) * requestsPerPosting(r, ceiling)) / r0,
});
const ms = (seconds: number) => `${Math.round(seconds * 1000)} ms`;
const secs = (seconds: number) => `${seconds.toFixed(1)} s`;

function describe(size: TargetSize, r: PhaseResult, ceiling: PhaseResult | undefined): string {
  const ratio = ceiling === undefined ? '' : `, ${(perSecond(r) / perSecond(ceiling)).toFixed(2)} of the ceiling`;
  const used = utilization(r, ceiling, size.rate);
  const utilizationText =
    r.phase === 'ceiling' ? '' : `, utilization ${used.limit.toFixed(3)} of R (useful ${used.useful.toFixed(3)})`;
  return (
    `${PHASE_LABELS[r.phase]}: ${rate(perSecond(r))} (${fmt(r.delivered)} in ${secs(r.seconds)}), ` +
    `${fmt(r.requests)} requests (${requestsPerPosting(r, undefined).toFixed(2)} accepted a posting), ${rate(acceptedPerSecond(r))} accepted${utilizationText}${ratio}; ` +
    `${fmt(r.attempts)} attempts, ${fmt(r.throttled)} answered 429 (emulator: ${fmt(r.rateLimited)} requests), ${fmt(r.otherFailures)} other failures; ` +
    `send -> delivered p50 ${ms(r.sendToDelivered.p50)} p99 ${ms(r.sendToDelivered.p99)} max ${ms(r.sendToDelivered.max)}; ` +
    `start -> delivered p50 ${secs(r.startToDelivered.p50)} p99 ${secs(r.startToDelivered.p99)}; ${r.steps} steps, cap and rate at the end ${r.finalCap}, ${r.finalRate === null ? 'the limit' : `${r.finalRate.toFixed(1)}/s`}; ` +
    `duplicates ${r.duplicates}`
  );
}

async function runStore(size: TargetSize, store: Store, run: number): Promise<PhaseResult[]> {
  const results: PhaseResult[] = [];
  const runPhases = async (targets: string[]) => {
    for (const [index, phase] of PHASES.entries()) {
      progress(
        `${size.kind} ${store} run ${run + 1}/${RUNS}: ${phase} (${fmt(size.postings)} postings, R = ${size.rate}/s)...`,
      );
      const ceiling = results.find((r) => r.phase === 'ceiling');
      const k = ceiling ? ceiling.requests / ceiling.delivered : size.requestsPerPosting;
      const result = await runPhase(size, store, targets[index] as string, phase, k);
      progress(`  ${describe(size, result, ceiling)}`);
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

function report(size: TargetSize, store: Store, runs: PhaseResult[][]): string[] {
  const label = store === 'pglite' ? 'PGlite' : 'PostgreSQL';
  console.log(
    `\n${size.kind}, ${store === 'pglite' ? 'PGlite (embedded, file-backed)' : 'PostgreSQL server'}: ${fmt(size.postings)} postings, ` +
      `R = ${size.rate} requests/s, median of ${runs.length} run(s)`,
  );
  const rows: string[] = [];
  for (const phase of PHASES) {
    const pairs = runs
      .map((run) => ({ mine: run.find((r) => r.phase === phase), ceiling: run.find((r) => r.phase === 'ceiling') }))
      .filter((pair): pair is { mine: PhaseResult; ceiling: PhaseResult | undefined } => pair.mine !== undefined);
    if (pairs.length === 0) continue;
    const of = pairs.map((pair) => pair.mine);
    const m = (pick: (r: PhaseResult) => number) => median(of.map(pick));
    const ratios = pairs.flatMap((pair) => (pair.ceiling ? [perSecond(pair.mine) / perSecond(pair.ceiling)] : []));
    const used = pairs.map((pair) => utilization(pair.mine, pair.ceiling, size.rate));
    const limit = used.map((u) => u.limit);
    const useful = used.map((u) => u.useful);
    const runsOf = (values: number[], digits: number) => values.map((v) => v.toFixed(digits)).join(', ');
    const speed = m(perSecond);
    const throttled = phase !== 'ceiling';
    console.log(
      `  ${PHASE_LABELS[phase].padEnd(22)} ${rate(speed)} (runs: ${of.map((r) => rate(perSecond(r))).join(', ')}), ` +
        `${m((r) => r.requests / r.delivered).toFixed(2)} requests a posting` +
        (throttled
          ? `, utilization ${median(limit).toFixed(3)} of R (runs: ${runsOf(limit, 3)}), useful ${median(useful).toFixed(3)} (runs: ${runsOf(useful, 3)})`
          : '') +
        `, ratio to the ceiling ${ratios.length ? median(ratios).toFixed(2) : 'n/a'}` +
        `, 429s ${fmt(m((r) => r.rateLimited))} (runs: ${of.map((r) => fmt(r.rateLimited)).join(', ')})` +
        `, send -> delivered p99 ${ms(m((r) => r.sendToDelivered.p99))}`,
    );
    rows.push(
      `| ${size.kind} | ${label} | ${PHASE_LABELS[phase]} | ${fmt(speed)} | ${fmt(m(acceptedPerSecond))} | ` +
        `${throttled ? `**${median(limit).toFixed(3)}** (${runsOf(limit, 3)})` : '—'} | ${throttled ? median(useful).toFixed(3) : '—'} | ` +
        `${ratios.length ? median(ratios).toFixed(2) : 'n/a'} | ${fmt(m((r) => r.rateLimited))} / ${fmt(m((r) => r.throttled))} | ` +
        `${fmt(m((r) => r.attempts))} | ${ms(m((r) => r.sendToDelivered.p50))} / ${ms(m((r) => r.sendToDelivered.p99))} | ` +
        `${Math.max(...of.map((r) => r.duplicates))} |`,
    );
  }
  return rows;
}

async function main(): Promise<void> {
  const stores = args.stores.split(',') as Store[];
  for (const store of stores)
    if (store !== 'pglite' && store !== 'postgres') throw new Error(`unknown store ${String(store)}`);
  for (const phase of PHASES) if (!(phase in PHASE_LABELS)) throw new Error(`unknown phase ${phase}`);
  const kinds = args.targets.split(',');
  for (const kind of kinds) if (!isBenchKind(kind)) throw new Error(`unknown target ${kind}`);
  const sizes = (kinds as BenchKind[]).map(sizeOf);
  console.log(
    `Posting: balanced journal entries enqueued straight into the outbox (finalizing real invoices is bench:billing's measure), ` +
      `delivered by the dispatcher to each target's emulator over HTTP; target concurrency ${CONCURRENCY}; ` +
      sizes.map((size) => `${size.kind} ${fmt(size.postings)} postings at R = ${size.rate} requests/s`).join(', ') +
      '.',
  );
  const results = new Map<string, PhaseResult[][]>();
  const keyOf = (kind: BenchKind, store: Store) => `${kind}/${store}`;
  // Runs go round the targets and stores, so that a run cut short still leaves figures for each.
  for (let run = 0; run < RUNS; run += 1)
    for (const size of sizes)
      for (const store of stores) {
        const key = keyOf(size.kind, store);
        results.set(key, [...(results.get(key) ?? []), await runStore(size, store, run)]);
      }
  const rows = sizes.flatMap((size) =>
    stores.flatMap((store) => report(size, store, results.get(keyOf(size.kind, store)) ?? [])),
  );
  console.log(
    `\n| target | store | phase | delivered/s | requests accepted/s | utilization of R (runs) | useful | ratio to ceiling | 429s: requests / deliveries | attempts | send → delivered p50 / p99 | duplicates |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
}

await main();
