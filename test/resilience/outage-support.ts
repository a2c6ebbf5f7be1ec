import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import { referenceCatalogYaml } from '../fixtures/reference-catalog.js';
import { apiRequest } from '../fixtures/metering.js';
import { ManualClock } from '../../src/platform/clock.js';
import type { Database } from '../../src/platform/database/database.js';
import { openPostgresDatabase } from '../../src/platform/database/postgres-database.js';
import { POSTGRES_TEST_URL } from '../harness/stores.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

// Other test files share this PostgreSQL server: everything here touches only its own schema and
// ends only sessions carrying its own application_name.

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An application_name no other test uses, so terminating "our" backends ends nobody else's. */
export const uniqueApplicationName = (label: string) => `mb_outage_${label}_${randomBytes(4).toString('hex')}`;

/** The test server's URL, through `port` when given (a proxy), with an application_name. */
export function databaseUrl(applicationName: string, options: { port?: number; database?: string } = {}): string {
  const url = new URL(POSTGRES_TEST_URL);
  if (options.port !== undefined) {
    url.hostname = '127.0.0.1';
    url.port = String(options.port);
  }
  if (options.database) url.pathname = `/${options.database}`;
  url.searchParams.set('application_name', applicationName);
  return url.toString();
}

export function postgresTarget(): { host: string; port: number } {
  const url = new URL(POSTGRES_TEST_URL);
  return { host: url.hostname, port: Number(url.port || 5432) };
}

/** A session straight to the server (never through a proxy), for setup, checks and terminations. */
export async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL, application_name: 'mb_outage_admin' });
  await client.connect();
  return client;
}

/** Ends every session of `applicationName` (ours alone); returns how many there were. */
export async function terminateBackends(admin: pg.Client, applicationName: string): Promise<number> {
  const result = await admin.query<{ ended: string }>(
    `select count(*) filter (where pg_terminate_backend(pid))::text as ended
       from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()`,
    [applicationName],
  );
  return Number(result.rows[0]?.ended ?? 0);
}

export interface LogEntry {
  level: number;
  /** Epoch milliseconds. */
  time: number;
  msg: string;
  stage?: string;
}

/** A real pino logger whose lines are kept, to count what the workers said. */
export function recordingLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void entries.push(JSON.parse(line) as LogEntry) });
  return { logger, entries };
}

export interface OutageApp {
  t: TestApp;
  db: Database;
  schema: string;
  close(): Promise<void>;
}

/**
 * A Meterbridge HTTP server on a new schema of the test server, reached at `url`, with the reference
 * catalog applied and a clock after every event the load sends.
 */
export async function startOutageApp(admin: pg.Client, url: string): Promise<OutageApp> {
  const schema = `t_outage_${randomBytes(5).toString('hex')}`;
  await admin.query(`create schema ${schema}`);
  const db = await openPostgresDatabase({ connectionString: url, schema, maxConnections: 6 });
  const t = await startTestApp({ db }, { clock: new ManualClock('2026-11-01T00:00:00.000Z') });
  await t.app.catalog.apply(referenceCatalogYaml(), 'catalog.yaml', 'test');
  return {
    t,
    db,
    schema,
    close: async () => {
      await t.close();
      await db.close();
      await admin.query(`drop schema if exists ${schema} cascade`);
    },
  };
}

export interface Outcome {
  kind: 'post' | 'get';
  status: number;
  startedAt: number;
  endedAt: number;
  retryAfter: string | null;
  contentType: string | null;
  problemType?: string;
  /** The events of a POST, to send again as they were. */
  events: Record<string, unknown>[];
  ids: string[];
  body?: { accepted?: number; duplicates?: number };
}

export interface Load {
  readonly outcomes: Outcome[];
  stop(): Promise<Outcome[]>;
}

/** A batch of new reference events for customer acme in October 2026. */
export function newBatch(size: number): Record<string, unknown>[] {
  return Array.from({ length: size }, (_, index) =>
    apiRequest('acme', `2026-10-${String(1 + (index % 28)).padStart(2, '0')}T12:00:00Z`),
  );
}

/** One request, its outcome recorded; a failure to get any answer (the server gone) is status 0. */
export async function send(
  t: TestApp,
  kind: 'post' | 'get',
  path: string,
  events: Record<string, unknown>[] = [],
): Promise<Outcome> {
  const startedAt = performance.now();
  const ids = events.map((event) => event.id as string);
  try {
    const response = await t.request(path, {
      method: kind === 'post' ? 'POST' : 'GET',
      json: kind === 'post' ? events : undefined,
      signal: AbortSignal.timeout(15_000),
    });
    const contentType = response.headers.get('content-type');
    const body = (await response.json()) as { type?: string; accepted?: number; duplicates?: number };
    return {
      kind,
      status: response.status,
      startedAt,
      endedAt: performance.now(),
      retryAfter: response.headers.get('retry-after'),
      contentType,
      problemType: body.type,
      events,
      ids,
      body,
    };
  } catch {
    return { kind, status: 0, startedAt, endedAt: performance.now(), retryAfter: null, contentType: null, events, ids };
  }
}

/**
 * `clients` loops, each posting batches of new events and, every third request, reading (metering
 * status or the key list), until stopped.
 */
export function startLoad(t: TestApp, { clients, batchSize }: { clients: number; batchSize: number }): Load {
  const outcomes: Outcome[] = [];
  let stopped = false;
  const reads = ['/v1/metering/status', '/v1/api-keys'];
  const client = async (index: number) => {
    for (let round = 0; !stopped; round += 1) {
      const outcome =
        round % 3 === 2
          ? await send(t, 'get', reads[(index + round) % reads.length] as string)
          : await send(t, 'post', '/v1/events', newBatch(batchSize));
      outcomes.push(outcome);
      // A refused client waits a little (a real one would wait out Retry-After) instead of spinning.
      if (outcome.status === 503) await sleep(50);
    }
  };
  const running = Promise.all(Array.from({ length: clients }, (_, index) => client(index)));
  return {
    outcomes,
    async stop() {
      stopped = true;
      await running;
      return outcomes;
    },
  };
}

/** How many times each id is stored in the schema's raw event log (0 when absent). */
export async function storedCounts(
  admin: pg.Client,
  schema: string,
  ids: readonly string[],
): Promise<Map<string, number>> {
  const result = await admin.query<{ id: string; n: string }>(
    `select k.id, count(e.id)::text as n from unnest($1::text[]) as k(id) left join ${schema}.raw_events e on e.source = 'test/product' and e.id = k.id group by k.id`,
    [ids],
  );
  return new Map(result.rows.map((row) => [row.id, Number(row.n)]));
}

export interface MeteringState {
  events: number;
  unmetered: number;
  exceptions: number;
  /** Usage records per event, as distinct counts (one value when every event was metered alike). */
  recordsPerEvent: number[];
  /** (event, meter) pairs with more than one usage record. */
  duplicated: number;
}

export async function meteringState(admin: pg.Client, schema: string): Promise<MeteringState> {
  const { rows } = await admin.query<{
    events: string;
    unmetered: string;
    exceptions: string;
    per_event: number[] | null;
    duplicated: string;
  }>(`
    select (select count(*) from ${schema}.raw_events)::text as events,
           (select count(*) from ${schema}.raw_events r where not exists (select 1 from ${schema}.usage_records u where u.event_seq = r.seq))::text as unmetered,
           (select count(*) from ${schema}.metering_exceptions)::text as exceptions,
           (select array_agg(distinct n) from (select count(*)::int as n from ${schema}.usage_records group by event_seq) c) as per_event,
           (select count(*) from (select 1 from ${schema}.usage_records group by event_seq, meter_key having count(*) > 1) d)::text as duplicated`);
  const row = rows[0] as (typeof rows)[number];
  return {
    events: Number(row.events),
    unmetered: Number(row.unmetered),
    exceptions: Number(row.exceptions),
    recordsPerEvent: row.per_event ?? [],
    duplicated: Number(row.duplicated),
  };
}

/** Waits until the metering worker has metered every stored event. */
export async function waitUntilMetered(admin: pg.Client, schema: string, timeoutMs: number): Promise<MeteringState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await meteringState(admin, schema);
    if (state.unmetered === 0 || Date.now() > deadline) return state;
    await sleep(100);
  }
}

/** Posts each batch again, unchanged, until it is answered 200, as a client honouring Retry-After would (without the wait). */
export async function retryUntilStored(t: TestApp, batches: readonly Outcome[]): Promise<Outcome[]> {
  const answers: Outcome[] = [];
  for (const batch of batches) {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const answer = await send(t, 'post', '/v1/events', batch.events);
      if (answer.status === 200) {
        answers.push(answer);
        break;
      }
      await sleep(200);
    }
  }
  return answers;
}
