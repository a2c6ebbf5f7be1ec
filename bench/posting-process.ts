import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { TargetDefinition } from '../src/modules/connectors/index.js';
import { createDispatcher, enqueue } from '../src/modules/outbox/index.js';
import { systemClock } from '../src/platform/clock.js';
import type { Database } from '../src/platform/database/database.js';
import { migrate } from '../src/platform/database/migrate.js';
import { openStore } from '../src/platform/database/open-store.js';
import { BENCH_ADAPTERS, benchPostings, isBenchKind, type BenchKind } from './posting-bodies.js';

/**
 * One phase of the posting benchmark in a process of its own, printing one JSON line: on a fresh store,
 * N postings enqueued through the outbox (not timed), then the dispatcher run as the posting worker runs
 * it — step after step, each claiming what the target's limits allow and waiting for a delivery to settle,
 * `--poll-ms` after a step that found nothing —
 * until every posting is delivered, through the `--kind` target's connector (built by its conformance adapter)
 * to the emulator the target definition in MB_BENCH_TARGET_DEFINITION points at, with the secret in
 * MB_BENCH_TARGET_SECRET. Fails when a posting goes dead or the phase outlasts `--timeout-seconds`.
 */
const { values } = parseArgs({
  options: {
    store: { type: 'string' },
    target: { type: 'string' },
    kind: { type: 'string' },
    postings: { type: 'string' },
    'poll-ms': { type: 'string', default: '1000' },
    'timeout-seconds': { type: 'string' },
  },
});
const POSTINGS = Number(values.postings);
const ENQUEUE_BATCH = 500;
const kindArgument = values.kind ?? '';
if (!isBenchKind(kindArgument)) throw new Error(`unknown --kind ${kindArgument}`);
const KIND: BenchKind = kindArgument;
const secret = process.env.MB_BENCH_TARGET_SECRET;
const definitionText = process.env.MB_BENCH_TARGET_DEFINITION;
if (!secret || !definitionText) throw new Error('MB_BENCH_TARGET_SECRET and MB_BENCH_TARGET_DEFINITION must be set');
const SECRET: string = secret;
const definition = JSON.parse(definitionText) as TargetDefinition;

export interface PostingPhaseResult {
  enqueueSeconds: number;
  /** From the first step to the last delivery. */
  seconds: number;
  delivered: number;
  /** The dispatcher's steps (`advance` calls). */
  steps: number;
  /** Every attempt recorded, and those the target answered 429. */
  attempts: number;
  throttled: number;
  otherFailures: number;
  /** Seconds from a posting's first send to its delivery (retries and their backoff included). */
  sendToDelivered: { p50: number; p99: number; max: number };
  /** Seconds from the phase's start to each delivery: how long the backlog's postings waited. */
  startToDelivered: { p50: number; p99: number };
  /** The target's adaptive concurrency cap and request rate (null: the configured limit) when the phase ended. */
  finalCap: number;
  finalRate: number | null;
}

async function enqueueAll(db: Database): Promise<number> {
  const started = performance.now();
  const postings = benchPostings(KIND, POSTINGS);
  for (let first = 0; first < POSTINGS; first += ENQUEUE_BATCH) {
    await db.transaction(async (tx) => {
      for (const posting of postings.slice(first, first + ENQUEUE_BATCH)) {
        await enqueue(tx, {
          topic: 'posting.bench',
          key: posting.externalId,
          payload: { externalId: posting.externalId },
          createdAt: systemClock.now(),
          postings: [posting],
        });
      }
    });
  }
  return (performance.now() - started) / 1000;
}

async function measure(db: Database, phaseStart: Date) {
  const latency = await db.query<{ p50: number; p99: number; max: number; s50: number; s99: number }>(
    `with first as (select posting_id, min(started_at) as sent from posting_attempts group by posting_id)
     select percentile_cont(0.5) within group (order by extract(epoch from p.delivered_at - f.sent))::float8 as p50,
            percentile_cont(0.99) within group (order by extract(epoch from p.delivered_at - f.sent))::float8 as p99,
            max(extract(epoch from p.delivered_at - f.sent))::float8 as max,
            percentile_cont(0.5) within group (order by extract(epoch from p.delivered_at - $1::timestamptz))::float8 as s50,
            percentile_cont(0.99) within group (order by extract(epoch from p.delivered_at - $1::timestamptz))::float8 as s99
       from postings p join first f on f.posting_id = p.id where p.status = 'delivered'`,
    [phaseStart],
  );
  const attempts = await db.query<{ attempts: number | string; throttled: number | string; other: number | string }>(
    `select count(*) as attempts, count(*) filter (where status_code = 429) as throttled,
            count(*) filter (where outcome = 'failed' and status_code is distinct from 429) as other
       from posting_attempts`,
  );
  const cap = await db.query<{ concurrency_cap: number; request_rate: number | null }>(
    `select concurrency_cap, request_rate from posting_targets`,
  );
  const row = latency.rows[0];
  const counts = attempts.rows[0];
  return {
    attempts: Number(counts?.attempts ?? 0),
    throttled: Number(counts?.throttled ?? 0),
    otherFailures: Number(counts?.other ?? 0),
    sendToDelivered: { p50: Number(row?.p50), p99: Number(row?.p99), max: Number(row?.max) },
    startToDelivered: { p50: Number(row?.s50), p99: Number(row?.s99) },
    finalCap: Number(cap.rows[0]?.concurrency_cap),
    finalRate: cap.rows[0]?.request_rate == null ? null : Number(cap.rows[0].request_rate),
  };
}

async function main(): Promise<void> {
  const target = values.target as string;
  const db = await openStore(values.store === 'postgres' ? { databaseUrl: target, dataDir: '' } : { dataDir: target });
  try {
    await migrate(db);
    const enqueueSeconds = await enqueueAll(db);
    const connector = BENCH_ADAPTERS[KIND].connector(definition, async () => SECRET);
    const dispatcher = createDispatcher({ db, clock: systemClock, connectorFor: () => connector });
    const pollMs = Number(values['poll-ms']);
    const timeoutMs = 1000 * Number(values['timeout-seconds']);
    const phaseStart = systemClock.now();
    const started = performance.now();
    let delivered = 0;
    let steps = 0;
    while (delivered < POSTINGS) {
      if (performance.now() - started > timeoutMs)
        throw new Error(`only ${delivered} of ${POSTINGS} postings delivered after ${timeoutMs / 1000} s`);
      // As the posting worker steps: claims stay outstanding, a settled delivery wakes the next claim.
      const more = await dispatcher.advance(pollMs);
      const summary = dispatcher.takeSummary();
      steps += 1;
      if (summary.dead > 0) throw new Error(`${summary.dead} posting(s) went to the dead-letter queue`);
      delivered += summary.delivered + summary.adopted;
      if (!more) await sleep(pollMs);
    }
    await dispatcher.drain();
    const seconds = (performance.now() - started) / 1000;
    const result: PostingPhaseResult = {
      enqueueSeconds,
      seconds,
      delivered,
      steps,
      ...(await measure(db, phaseStart)),
    };
    console.log(JSON.stringify(result));
  } finally {
    await db.close();
  }
}

await main();
