import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import pg from 'pg';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { CeilingResult } from './ceiling.js';
import { BENCH_SCHEMA, chunk, generateEvents } from './event-generator.js';
import { runHttpLoad, type LoadResult } from './http-load.js';
import { startServerProcess } from './server-process.js';

/**
 * npm run bench:ingest [-- --events N --batch 1000 --connections 4 --stores pglite,postgres]
 * For each store: the ceiling (the same rows inserted straight into a fresh store, unnest and COPY, in
 * a process of its own), then the same events sent over HTTP to a `meterbridge serve` process on
 * another fresh store. Phases alternate their order from run to run.
 */
const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '4' },
    stores: { type: 'string', default: 'pglite,postgres' },
    runs: { type: 'string', default: '3' },
    phases: { type: 'string', default: 'ceiling,http' },
    'database-url': {
      type: 'string',
      default: process.env.MB_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const TOTAL = Number(args.events);
const BATCH = Number(args.batch);
const CONNECTIONS = Number(args.connections);
const RUNS = Number(args.runs);
const PHASES = args.phases.split(',');
const ADMIN_KEY = `bench-admin-key-${'x'.repeat(32)}`;

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const rate = (perSecond: number) => `${Math.round(perSecond).toLocaleString('en-US')}/s`;

async function withDatabases<T>(adminUrl: string, count: number, work: (urls: string[]) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const names = Array.from({ length: count }, (_, i) => `mb_bench_${process.pid}_${i}`);
  for (const name of names)
    await admin.query(`drop database if exists ${name}`).then(() => admin.query(`create database ${name}`));
  try {
    return await work(
      names.map((name) => {
        const url = new URL(adminUrl);
        url.pathname = `/${name}`;
        return url.toString();
      }),
    );
  } finally {
    for (const name of names) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

async function ceilingRun(store: 'pglite' | 'postgres', targets: string[], seed: string): Promise<CeilingResult> {
  const script = new URL('./ceiling-process.js', import.meta.url);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      script.pathname,
      '--store',
      store,
      '--targets',
      targets.join(','),
      '--events',
      String(TOTAL),
      '--batch',
      String(BATCH),
      '--seed',
      seed,
    ],
    { maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as CeilingResult;
}

async function httpRun(
  serverArgs: string[],
  bodies: string[],
): Promise<LoadResult & { peakRss: number; rssSamples: number[] }> {
  const server = await startServerProcess(serverArgs, { MB_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
  try {
    const put = await fetch(`${server.baseUrl}/v1/event-types/api.request/schemas/1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify(BENCH_SCHEMA),
    });
    if (put.status !== 201) throw new Error(`schema registration answered ${put.status}`);
    const bar = new SingleBar(
      { format: '  http {bar} {percentage}% | {value}/{total} batches | rss {rss}', stream: process.stderr },
      Presets.shades_classic,
    );
    const quarter = Math.max(1, Math.floor(bodies.length / 4));
    const rssSamples: number[] = [];
    bar.start(bodies.length, 0, { rss: mb(server.rss()) });
    const result = await runHttpLoad(`${server.baseUrl}/v1/events`, ADMIN_KEY, bodies, BATCH, CONNECTIONS, (done) => {
      if (done % quarter === 0) rssSamples.push(server.rss());
      bar.update(done, { rss: mb(server.rss()) });
    });
    bar.stop();
    if (result.accepted !== TOTAL) throw new Error(`accepted ${result.accepted} of ${TOTAL} events`);
    return { ...result, peakRss: server.peakRss(), rssSamples };
  } finally {
    await server.stop();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

type HttpRun = Awaited<ReturnType<typeof httpRun>>;

function report(store: string, ceilings: CeilingResult[], https: HttpRun[]): void {
  console.log(
    `\n${store}: ${TOTAL.toLocaleString('en-US')} events, batches of ${BATCH}, ${CONNECTIONS} connections, median of ${Math.max(ceilings.length, https.length)} run(s)`,
  );
  const best = median(ceilings.map((c) => Math.max(c.unnestPerSecond, c.copyPerSecond)));
  if (ceilings.length > 0) {
    console.log(
      `  ceiling   unnest ${rate(median(ceilings.map((c) => c.unnestPerSecond)))}   COPY ${rate(median(ceilings.map((c) => c.copyPerSecond)))}   (best ${rate(best)})`,
    );
    console.log(
      `            runs: ${ceilings.map((c) => rate(Math.max(c.unnestPerSecond, c.copyPerSecond))).join(', ')}`,
    );
  }
  if (https.length === 0) return;
  const eventsPerSecond = median(https.map((h) => h.eventsPerSecond));
  console.log(
    `  http      ${rate(eventsPerSecond)}   p50 ${median(https.map((h) => h.p50Ms)).toFixed(1)} ms   p99 ${median(https.map((h) => h.p99Ms)).toFixed(1)} ms   peak RSS ${mb(Math.max(...https.map((h) => h.peakRss)))}`,
  );
  console.log(`            runs: ${https.map((h) => rate(h.eventsPerSecond)).join(', ')}`);
  console.log(`  rss at 25/50/75/100% (last run): ${(https.at(-1) as HttpRun).rssSamples.map(mb).join(' / ')}`);
  if (ceilings.length === https.length) {
    // Per run, both phases ran minutes apart on the same machine; the median of those ratios is the figure.
    const ratios = https.map(
      (h, run) =>
        h.eventsPerSecond /
        Math.max((ceilings[run] as CeilingResult).unnestPerSecond, (ceilings[run] as CeilingResult).copyPerSecond),
    );
    console.log(
      `  ratio     http / ceiling = ${median(ratios).toFixed(2)} (median of runs: ${ratios.map((r) => r.toFixed(2)).join(', ')}; target >= 0.70)`,
    );
  }
}

async function main(): Promise<void> {
  console.error(`generating ${TOTAL.toLocaleString('en-US')} events...`);
  const seed = `bench-${process.pid}`;
  // Only the serialized bodies stay in this (load generator) process: flat strings cost its GC nothing.
  const bodies = chunk(generateEvents(TOTAL, 0, seed), BATCH).map((batch) => JSON.stringify(batch));
  const stores = args.stores.split(',');

  // Phases alternate their order from run to run, so neither always inherits the other's
  // background work (checkpoints, autovacuum, page cache).
  const order = (run: number) => (run % 2 === 0 ? PHASES : [...PHASES].reverse());

  if (stores.includes('pglite')) {
    const ceilings: CeilingResult[] = [];
    const https: HttpRun[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const dir = mkdtempSync(join(tmpdir(), 'mb-bench-'));
      try {
        for (const phase of order(run)) {
          console.error(`pglite run ${run + 1}/${RUNS}: ${phase}...`);
          if (phase === 'ceiling')
            ceilings.push(await ceilingRun('pglite', [join(dir, 'unnest'), join(dir, 'copy')], seed));
          else https.push(await httpRun(['--data-dir', join(dir, 'http')], bodies));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    report('PGlite (embedded, file-backed)', ceilings, https);
  }
  if (stores.includes('postgres')) {
    const ceilings: CeilingResult[] = [];
    const https: HttpRun[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      await withDatabases(args['database-url'], 3, async ([unnestUrl, copyUrl, httpUrl]) => {
        for (const phase of order(run)) {
          console.error(`postgres run ${run + 1}/${RUNS}: ${phase}...`);
          if (phase === 'ceiling')
            ceilings.push(await ceilingRun('postgres', [unnestUrl as string, copyUrl as string], seed));
          else https.push(await httpRun(['--database-url', httpUrl as string], bodies));
        }
      });
    }
    report('PostgreSQL server', ceilings, https);
  }
}

await main();
