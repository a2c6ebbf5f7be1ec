import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { expect } from 'vitest';
import {
  startNetSuiteEmulator,
  type FaultSettings,
  type NetSuiteEmulator,
} from '../../src/emulators/netsuite/index.js';
import type { JournalEntry } from '../../src/modules/connectors/index.js';
import { enqueue, type PostingStatus } from '../../src/modules/outbox/index.js';
import { createApp } from '../../src/main.js';
import type { Database } from '../../src/platform/database/database.js';
import { openPostgresDatabase } from '../../src/platform/database/postgres-database.js';
import { spawnBin, type Child } from '../cli/run-bin.js';
import { checkLedger, expectedNet, periodEntries } from '../harness/netsuite-test-ledger.js';
import { startRecordingProxy, type RecordingProxy } from '../harness/recording-http-proxy.js';
import { testConfig } from '../harness/test-app.js';
import { postedStoryCatalog } from '../scenarios/one-month-story.js';
import { databaseUrl, sleep } from './outage-support.js';

// What the posting-process tests share: a database of their own on the PostgreSQL server (children
// reach it by URL, so a schema of the shared `test` database would not do), a NetSuite emulator in
// this process behind a proxy that records every request the children make, a catalog whose US
// entity posts journals to it, journal postings already enqueued, and `meterbridge` children that are
// always killed, whatever the test did.

export const TARGET = 'netsuite-us';

/** The story's US entity posting journals to the emulator at `url`, within `limits`. */
function catalogFor(url: string, concurrency: number, requestsPerSecond: number): string {
  return postedStoryCatalog(
    `- key: ${TARGET}
  kind: netsuite
  settings: { accountId: "1234567_SB1", baseUrl: "${url}", auth: { method: tba }, currencies: { USD: "1" } }
  credentials: NETSUITE_US
  limits: { requestsPerSecond: ${requestsPerSecond}, concurrency: ${concurrency} }`,
    `target: ${TARGET}
mode: journal
accounts:
  receivable: "58"
  revenue: { default: "112" }
  taxPayable: { US-CA: "113" }
dimensions: { subsidiary: "1" }`,
  );
}

export interface PostingBench {
  emulator: NetSuiteEmulator;
  /** The target's base URL: what reached the emulator, request by request. */
  proxy: RecordingProxy;
  /** This test's own pool on the bench's database, for setup and checks. */
  db: Database;
  /** What a child needs: the store's URL and the target's TBA secret, as an operator would set them. */
  env: Record<string, string>;
  entries: JournalEntry[];
  close(): Promise<void>;
}

export interface BenchOptions {
  postings: number;
  /** The target's concurrency cap in the catalog (shared by every dispatcher through posting_targets). */
  concurrency: number;
  requestsPerSecond?: number;
  faults: Partial<FaultSettings>;
}

/** A new database, migrated, with the catalog applied and `postings` journal entries enqueued, due now. */
export async function startPostingBench(admin: pg.Client, options: BenchOptions): Promise<PostingBench> {
  const database = `mb_posting_${randomBytes(6).toString('hex')}`;
  await admin.query(`create database ${database}`);
  const url = databaseUrl(`${database}_child`, { database });
  const emulator = await startNetSuiteEmulator({ seed: 7, faults: options.faults });
  const proxy = await startRecordingProxy(emulator.url);
  const db = await openPostgresDatabase({ connectionString: databaseUrl(`${database}_test`, { database }) });
  const close = async () => {
    await proxy.close();
    await emulator.close();
    await db.close();
    await admin.query(`drop database if exists ${database} with (force)`);
  };
  try {
    const app = await createApp(testConfig(), { db });
    await app.catalog.apply(
      catalogFor(proxy.url, options.concurrency, options.requestsPerSecond ?? 1000),
      'catalog.yaml',
      'test',
    );
    await app.close();
    const entries = periodEntries(options.postings);
    await db.transaction((tx) =>
      enqueue(tx, {
        topic: 'test.postings',
        key: database,
        payload: {},
        createdAt: new Date(),
        postings: entries.map((body) => ({
          targetKey: TARGET,
          externalId: body.externalId,
          kind: body.type,
          subject: `test:${body.externalId}`,
          legalEntity: 'US',
          period: '2026-10',
          body,
        })),
      }),
    );
    const { consumerKey, consumerSecret, tokenId, tokenSecret } = emulator.credentials;
    const env = {
      MB_DATABASE_URL: url,
      MB_SECRET_NETSUITE_US: JSON.stringify({ consumerKey, consumerSecret, tokenId, tokenSecret }),
    };
    return { emulator, proxy, db, env, entries, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A `meterbridge` child with its output kept for failure messages. */
export class BinChild {
  private out = '';
  private err = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly label: string,
    readonly child: Child,
  ) {
    child.stdout.on('data', (chunk: string) => (this.out += chunk));
    child.stderr.on('data', (chunk: string) => (this.err += chunk));
    this.exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  describe(): string {
    const exit = this.running ? 'running' : `exited ${this.child.exitCode ?? this.child.signalCode}`;
    return `${this.label} (${exit})\n  stdout: ${this.out.slice(-2000)}\n  stderr: ${this.err.slice(-2000)}`;
  }

  /** Sends `signal` and waits for the exit; past `timeoutMs` it is SIGKILLed and the stop fails. */
  async stop(
    signal: NodeJS.Signals,
    timeoutMs = 10_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    const late = sleep(timeoutMs).then(() => undefined);
    const exit = await Promise.race([this.exited, late]);
    if (exit) return exit;
    this.child.kill('SIGKILL');
    throw new Error(`${this.label} did not exit within ${timeoutMs} ms of ${signal}\n${this.describe()}`);
  }
}

const children = new Set<BinChild>();

/** Starts `meterbridge ...args` on the bench's store; `killChildren` ends it whatever happens. */
export function spawnMeterbridge(label: string, bench: PostingBench, args: readonly string[]): BinChild {
  const child = new BinChild(label, spawnBin(args, bench.env));
  children.add(child);
  return child;
}

export async function killChildren(): Promise<void> {
  for (const child of [...children]) {
    children.delete(child);
    await child.stop('SIGKILL', 5000).catch(() => undefined);
  }
}

/** Polls `probe` every 20 ms until it gives a value; past `timeoutMs` fails with what `explain` says. */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  explain: () => Promise<string> | string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`within ${timeoutMs} ms: ${await explain()}`);
    await sleep(20);
  }
}

export type StatusCounts = Record<PostingStatus, number>;

export async function statusCounts(db: Database): Promise<StatusCounts> {
  const counts: StatusCounts = { pending: 0, in_flight: 0, retrying: 0, delivered: 0, dead: 0, cancelled: 0 };
  const { rows } = await db.query<{ status: PostingStatus; n: string }>(
    `select status, count(*)::text as n from postings group by status`,
  );
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

export interface ClaimRow {
  id: string;
  externalId: string;
  claimedBy: string;
  /** Milliseconds the claim still holds. */
  leaseLeftMs: number;
}

/** The postings claimed and not yet settled, with who holds them and for how long yet. */
export async function claims(db: Database): Promise<ClaimRow[]> {
  const { rows } = await db.query<{ id: string; external_id: string; claimed_by: string; left_ms: string }>(
    `select id::text, external_id, claimed_by, (extract(epoch from lease_until - now()) * 1000)::bigint::text as left_ms
       from postings where status = 'in_flight' order by id`,
  );
  return rows.map((row) => ({
    id: row.id,
    externalId: row.external_id,
    claimedBy: row.claimed_by,
    leaseLeftMs: Number(row.left_ms),
  }));
}

/** When a dispatcher last saved the target's shared state: every claim pass does, even one that claims nothing. */
export async function targetStateSavedAt(db: Database): Promise<Date> {
  const { rows } = await db.query<{ updated_at: Date | string }>(
    `select updated_at from posting_targets where target_key = $1`,
    [TARGET],
  );
  return new Date(rows[0]?.updated_at ?? 0);
}

/**
 * The account holds each entry exactly once, balanced, with the enqueued amounts per account to the
 * cent, and each posting names the document the account holds for it. Returns the records per id.
 */
export async function expectDeliveredOnce(bench: PostingBench): Promise<number[]> {
  const records = bench.emulator.records();
  const ledger = checkLedger(records);
  const ids = bench.entries.map((entry) => entry.externalId).sort();
  expect([...ledger.recordsPerExternalId.keys()].sort()).toEqual(ids);
  expect([...new Set(ledger.recordsPerExternalId.values())]).toEqual([1]);
  expect(ledger.unbalanced).toEqual([]);
  expect(ledger.netByAccount).toEqual(expectedNet(bench.entries));
  const { rows } = await bench.db.query<{ external_id: string; target_document_id: string | null }>(
    `select external_id, target_document_id from postings where status = 'delivered' order by external_id`,
  );
  const held = new Map(records.map((record) => [String(record.externalId), String(record.id)]));
  expect(rows.map((row) => [row.external_id, row.target_document_id])).toEqual(ids.map((id) => [id, held.get(id)]));
  return [...ledger.recordsPerExternalId.values()];
}

export interface AttemptSummary {
  outcome: 'delivered' | 'adopted' | 'failed';
  failureClass: string | null;
  message: string | null;
}

/** Every posting's attempts in order, by external id. */
export async function attemptsByExternalId(db: Database): Promise<Map<string, AttemptSummary[]>> {
  const { rows } = await db.query<{
    external_id: string;
    outcome: AttemptSummary['outcome'];
    failure_class: string | null;
    message: string | null;
  }>(
    `select p.external_id, a.outcome, a.failure_class, a.message
       from postings p join posting_attempts a on a.posting_id = p.id order by p.id, a.attempt`,
  );
  const byId = new Map<string, AttemptSummary[]>();
  for (const row of rows)
    byId.set(row.external_id, [
      ...(byId.get(row.external_id) ?? []),
      { outcome: row.outcome, failureClass: row.failure_class, message: row.message },
    ]);
  return byId;
}

/** A posting delivered at its first attempt, nothing read back: what an undisturbed delivery leaves. */
export const deliveredFirstTime = (attempts: AttemptSummary[] | undefined): boolean =>
  attempts?.length === 1 && attempts[0]?.outcome === 'delivered';

export interface RecordRequests {
  gets: number;
  puts: number;
  /** The methods in the order they arrived. */
  order: string[];
}

/** The record requests that reached the proxy, by the external id in their path (`.../eid:J-0001`). */
export function requestsByExternalId(proxy: RecordingProxy): Map<string, RecordRequests> {
  const byId = new Map<string, RecordRequests>();
  for (const request of proxy.requests) {
    const externalId = /\/eid:([^/?]+)/.exec(request.path)?.[1];
    if (!externalId) continue;
    const seen = byId.get(externalId) ?? { gets: 0, puts: 0, order: [] };
    if (request.method === 'GET') seen.gets += 1;
    if (request.method === 'PUT') seen.puts += 1;
    seen.order.push(request.method);
    byId.set(externalId, seen);
  }
  return byId;
}
