import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../src/platform/database/connection-errors.js';
import { startBillingWorker } from '../../src/workers/billing-worker.js';
import { startMeteringWorker } from '../../src/workers/metering-worker.js';
import type { StageLoop } from '../../src/workers/stage-loop.js';
import { describeEachStore } from '../harness/stores.js';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.js';
import {
  adminClient,
  databaseUrl,
  meteringState,
  newBatch,
  postgresTarget,
  recordingLogger,
  retryUntilStored,
  send,
  sleep,
  startLoad,
  startOutageApp,
  storedCounts,
  terminateBackends,
  uniqueApplicationName,
  waitUntilMetered,
  type LogEntry,
  type Outcome,
  type OutageApp,
} from './outage-support.js';

// The PostgreSQL server is shared with every other test file: it is never restarted here. Outages
// are made by ending this file's own sessions (by application_name) or by cutting a TCP proxy that
// only this file's app connects through.

const WARN = 40;
const ERROR = 50;

function expectOnlyOkOr503(outcomes: readonly Outcome[]): void {
  const statuses = new Map<number, number>();
  for (const outcome of outcomes) statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
  expect(
    [...statuses.keys()].filter((status) => status !== 200 && status !== 503),
    JSON.stringify(Object.fromEntries(statuses)),
  ).toEqual([]);
  for (const outcome of outcomes.filter((candidate) => candidate.status === 503)) {
    expect(outcome.contentType).toMatch(/^application\/problem\+json/);
    expect(outcome.problemType).toBe('urn:meterbridge:problem:service-unavailable');
    expect(outcome.retryAfter).toBe('5');
  }
  for (const outcome of outcomes.filter((candidate) => candidate.kind === 'post' && candidate.status === 200)) {
    expect(outcome.body?.accepted).toBe(outcome.ids.length);
  }
}

/** Every event of a 200 stored exactly once; returns how many events of 503 batches were stored (in doubt). */
async function expectAcknowledgedStoredOnce(
  admin: pg.Client,
  schema: string,
  outcomes: readonly Outcome[],
): Promise<number> {
  const posts = outcomes.filter((outcome) => outcome.kind === 'post');
  const counts = await storedCounts(
    admin,
    schema,
    posts.flatMap((outcome) => outcome.ids),
  );
  const acknowledged = posts.filter((outcome) => outcome.status === 200).flatMap((outcome) => outcome.ids);
  expect(acknowledged.filter((id) => counts.get(id) !== 1)).toEqual([]);
  return posts
    .filter((outcome) => outcome.status === 503)
    .flatMap((outcome) => outcome.ids)
    .filter((id) => counts.get(id) !== 0).length;
}

function stageLines(entries: readonly LogEntry[], stage: string, level?: number): LogEntry[] {
  return entries.filter((entry) => entry.stage === stage && (level === undefined || entry.level === level));
}

describeEachStore(
  'the server survives its database',
  () => {
    let admin: pg.Client;
    beforeAll(async () => {
      admin = await adminClient();
    });
    afterAll(() => admin.end());

    it('rolls back a transaction whose connection is ended in the middle, reports it as unavailable, and reconnects', async () => {
      const name = uniqueApplicationName('tx');
      const outage = await startOutageApp(admin, databaseUrl(name));
      try {
        await outage.db.exec('create table outage_probe (id integer primary key)');
        // When the session is terminated between two statements of one transaction,
        const attempt = outage.db.transaction(async (tx) => {
          await tx.query('insert into outage_probe values (1)');
          expect(await terminateBackends(admin, name)).toBeGreaterThan(0);
          await sleep(100);
          await tx.query('insert into outage_probe values (2)');
        });
        // then the caller gets a DatabaseUnavailableError (a 503 on the wire), nothing was written,
        await expect(attempt).rejects.toBeInstanceOf(DatabaseUnavailableError);
        const { rows } = await admin.query(`select count(*)::int as n from ${outage.schema}.outage_probe`);
        expect(rows[0]).toEqual({ n: 0 });
        // and the very next transaction works on a new connection.
        await outage.db.transaction((tx) => tx.query('insert into outage_probe values (3)'));
        expect((await outage.db.query('select id from outage_probe')).rows).toEqual([{ id: 3 }]);
      } finally {
        await outage.close();
      }
    });

    it('answers only 200 or 503 while its sessions are terminated again and again, and loses or doubles nothing', async () => {
      const name = uniqueApplicationName('kill');
      const outage = await startOutageApp(admin, databaseUrl(name));
      const { logger, entries } = recordingLogger();
      const worker = startMeteringWorker({ ...outage.t.app, logger });
      try {
        // Given 4 clients posting batches of 25 events and reading, and the metering worker running,
        const load = startLoad(outage.t, { clients: 4, batchSize: 25 });
        // when every session of the app is ended every 250 ms for 5 s,
        let terminated = 0;
        let rounds = 0;
        for (const started = Date.now(); Date.now() - started < 5000; rounds += 1) {
          await sleep(250);
          terminated += await terminateBackends(admin, name);
        }
        const outcomes = await load.stop();

        // then every answer is a 200 or a 503 problem with Retry-After, and nothing crashed,
        expectOnlyOkOr503(outcomes);
        // every acknowledged event is stored exactly once, and no refused one was stored,
        expect(await expectAcknowledgedStoredOnce(admin, outage.schema, outcomes)).toBe(0);
        // and once the refused batches are sent again, every event is metered exactly once.
        const refused = outcomes.filter((outcome) => outcome.kind === 'post' && outcome.status === 503);
        const retried = await retryUntilStored(outage.t, refused);
        expect(retried.map((answer) => answer.body?.accepted)).toEqual(refused.map((outcome) => outcome.ids.length));
        const sent = outcomes
          .filter((outcome) => outcome.kind === 'post')
          .reduce((sum, outcome) => sum + outcome.ids.length, 0);
        const metered = await waitUntilMetered(admin, outage.schema, 20_000);
        expect(metered).toMatchObject({ events: sent, unmetered: 0, exceptions: 0, duplicated: 0 });
        expect(metered.recordsPerEvent).toHaveLength(1);
        expect(stageLines(entries, 'metering', ERROR)).toEqual([]);
        expect(terminated).toBeGreaterThanOrEqual(rounds / 2);
        console.log(
          `terminations: ${terminated} sessions in ${rounds} rounds; requests: ${outcomes.length} (${outcomes.filter((o) => o.kind === 'post').length} posts of 25 events), ` +
            `${outcomes.filter((o) => o.status === 503).length} answered 503, the rest 200; metering warnings: ${stageLines(entries, 'metering', WARN).length}; events metered: ${metered.events}`,
        );
      } finally {
        await worker.stop();
        await outage.close();
      }
    });

    describeOutageThroughProxy(() => admin);
  },
  ['postgres'],
);

function describeOutageThroughProxy(adminOf: () => pg.Client): void {
  describe('through a proxy that is cut', () => outageThroughProxy(adminOf));
}

function outageThroughProxy(adminOf: () => pg.Client): void {
  let proxy: TcpProxy;
  let outage: OutageApp;
  let workers: StageLoop[] = [];
  const { logger, entries } = recordingLogger();

  beforeAll(async () => {
    proxy = await startTcpProxy(postgresTarget());
    outage = await startOutageApp(adminOf(), databaseUrl(uniqueApplicationName('proxy'), { port: proxy.port }));
    const app = { ...outage.t.app, logger };
    workers = [startMeteringWorker(app), startBillingWorker(app, { checkEveryMs: 200 })];
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await proxy.restore();
    await outage.close();
    await proxy.close();
  });

  it('answers 503 with Retry-After, fails readiness but not liveness and pauses its workers while the database refuses connections, then recovers by itself', async () => {
    const admin = adminOf();
    const load = startLoad(outage.t, { clients: 4, batchSize: 25 });
    await sleep(1000);

    // When the database refuses connections for 3 s (and the open ones are reset),
    await proxy.cut();
    const cutAt = performance.now();
    const probes: Array<{ path: string; status: number; body: unknown }> = [];
    while (performance.now() - cutAt < 3000) {
      for (const path of ['/readyz', '/healthz']) {
        const response = await outage.t.request(path, { key: null, signal: AbortSignal.timeout(5000) });
        probes.push({ path, status: response.status, body: await response.json() });
      }
      await sleep(250);
    }
    await proxy.restore();
    const restoredAt = performance.now();
    const restoredWall = Date.now();
    let firstAccepted: number | undefined;
    let firstReady: number | undefined;
    const recoveryPosts: Outcome[] = [];
    while ((firstAccepted === undefined || firstReady === undefined) && performance.now() - restoredAt < 10_000) {
      if (firstAccepted === undefined) {
        const probe = await send(outage.t, 'post', '/v1/events', newBatch(1));
        recoveryPosts.push(probe);
        if (probe.status === 200) firstAccepted = performance.now() - restoredAt;
      }
      if (firstReady === undefined && (await outage.t.request('/readyz', { key: null })).status === 200)
        firstReady = performance.now() - restoredAt;
      await sleep(50);
    }
    await sleep(1500);
    const outcomes = [...(await load.stop()), ...recoveryPosts];

    // then readiness failed throughout and liveness never did,
    const ready = probes.filter((probe) => probe.path === '/readyz');
    expect(ready.length).toBeGreaterThanOrEqual(5);
    expect(ready.filter((probe) => probe.status !== 503)).toEqual([]);
    expect(ready[0]?.body).toMatchObject({
      status: 'unavailable',
      checks: { database: expect.stringMatching(/^unreachable: /), migrations: 'unknown' },
    });
    expect(probes.filter((probe) => probe.path === '/healthz' && probe.status !== 200)).toEqual([]);
    // every request begun during the cut was answered 503 (with Retry-After), none failed otherwise,
    expectOnlyOkOr503(outcomes);
    const during = outcomes.filter((outcome) => outcome.startedAt > cutAt && outcome.endedAt < restoredAt);
    expect(during.length).toBeGreaterThan(10);
    expect(during.filter((outcome) => outcome.status !== 503)).toEqual([]);
    // service came back by itself, without a restart,
    expect(firstAccepted).toBeDefined();
    expect(firstReady).toBeDefined();
    expect(
      outcomes.filter(
        (outcome) => outcome.startedAt > restoredAt + (firstAccepted as number) + 200 && outcome.status !== 200,
      ),
    ).toEqual([]);
    // each worker warned once that it paused, said once that it resumed (after at most its longest backoff, 5 s), and never logged an error,
    const resumed = (stage: string) =>
      stageLines(entries, stage).find((entry) => entry.msg.startsWith('stage resumed'));
    await expect
      .poll(() => Boolean(resumed('metering') && resumed('billing-finalization')), { timeout: 8000, interval: 100 })
      .toBe(true);
    const resumedAfter = ['metering', 'billing-finalization'].map(
      (stage) => `${stage} ${(resumed(stage)?.time ?? 0) - restoredWall} ms`,
    );
    for (const stage of ['metering', 'billing-finalization']) {
      expect(stageLines(entries, stage, WARN).map((entry) => entry.msg)).toEqual([
        'stage paused: the database is unavailable; retrying with backoff',
      ]);
      expect(stageLines(entries, stage).filter((entry) => entry.msg.startsWith('stage resumed'))).toHaveLength(1);
      expect(stageLines(entries, stage, ERROR)).toEqual([]);
    }
    // every acknowledged event is stored exactly once; a 503 batch is in doubt only if its commit was in flight at the cut,
    const inDoubt = await expectAcknowledgedStoredOnce(admin, outage.schema, outcomes);
    expect(inDoubt).toBeLessThanOrEqual(4 * 25);
    // and after the refused batches are sent again (answered as accepted or duplicate), everything is metered once.
    const refused = outcomes.filter((outcome) => outcome.kind === 'post' && outcome.status === 503);
    const retried = await retryUntilStored(outage.t, refused);
    expect(retried.map((answer) => (answer.body?.accepted ?? 0) + (answer.body?.duplicates ?? 0))).toEqual(
      refused.map((outcome) => outcome.ids.length),
    );
    const sent = outcomes
      .filter((outcome) => outcome.kind === 'post')
      .reduce((sum, outcome) => sum + outcome.ids.length, 0);
    const metered = await waitUntilMetered(admin, outage.schema, 20_000);
    expect(metered).toMatchObject({ events: sent, unmetered: 0, exceptions: 0, duplicated: 0 });
    expect((await meteringState(admin, outage.schema)).recordsPerEvent).toHaveLength(1);
    console.log(
      `proxy cut 3 s: requests ${outcomes.length} (${during.length} begun during the cut, all 503), ${outcomes.filter((o) => o.status === 503).length} answered 503 in all; ` +
        `readiness probes during the cut: ${ready.length} x 503; first accepted batch ${Math.round(firstAccepted as number)} ms and readiness ${Math.round(firstReady as number)} ms after reopening; ` +
        `workers resumed: ${resumedAfter.join(', ')} after reopening; 503 events found stored (commit in flight): ${inDoubt}; events metered: ${metered.events}`,
    );
  });
}
