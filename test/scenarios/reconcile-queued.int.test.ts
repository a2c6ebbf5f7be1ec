import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startNetSuiteEmulator, type NetSuiteEmulator } from '../../src/emulators/netsuite/index.js';
import { createApp, type App } from '../../src/main.js';
import { ManualClock } from '../../src/platform/clock.js';
import { startReconciliationWorker } from '../../src/workers/reconciliation-worker.js';
import { readJson } from '../harness/read-json.js';
import { describeEachStore } from '../harness/stores.js';
import { startTestApp, testConfig, type TestApp } from '../harness/test-app.js';
import { applyStory, completion, send } from './one-month-story.js';
import { closeOctober, drainPostings, netsuiteSecret, netsuiteStoryCatalog } from './story-targets.js';

/**
 * A month too big to make a caller wait is reconciled by the service's worker: asked with
 * `Prefer: respond-async`, it is queued (202 and where to read it), made by the worker, and read when
 * done. A run whose process died mid-way (its lease lapsed) is taken over by another process and made
 * once: the first attempt, when it comes back, keeps nothing of its own.
 */
describeEachStore('reconciling a month in the background', (stores) => {
  const clock = new ManualClock('2026-10-20T09:00:00Z');
  let emulator: NetSuiteEmulator;
  let t: TestApp;
  let other: App;

  beforeAll(async () => {
    emulator = await startNetSuiteEmulator({ seed: 11 });
    const secret = netsuiteSecret(emulator);
    t = await startTestApp(stores, { clock, secrets: async () => secret });
    other = await createApp(testConfig(), { db: t.app.db, clock, secrets: async () => secret });
    await applyStory(t, netsuiteStoryCatalog(emulator));
    await send(t, [
      completion('a-1', 'acme', '2026-10-03T10:00:00Z', 12000),
      completion('i-1', 'initech', '2026-10-05T12:00:00Z', 8000),
    ]);
    await t.app.metering.stage.runUntilCaughtUp();
    await closeOctober(t, clock);
    clock.set('2026-11-05T01:00:00Z');
    await drainPostings(t, clock);
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
    await emulator?.close();
  });

  const asked = (body: unknown, prefer?: string) =>
    t.request('/v1/reconciliations', {
      method: 'POST',
      json: body,
      headers: prefer ? { prefer } : {},
    });

  it('queues a run asked to respond asynchronously, and the worker makes it', async () => {
    const response = await asked({ period: '2026-10' }, 'respond-async, wait=10');
    expect(response.status).toBe(202);
    expect(response.headers.get('preference-applied')).toBe('respond-async');
    const queued = await readJson(response);
    expect(queued).toMatchObject({ status: 'queued', period: '2026-10', summary: { mismatches: 0, clean: false } });
    expect(response.headers.get('location')).toBe(`/v1/reconciliations/${queued.id}`);
    expect(await readJson(await t.request(`/v1/reconciliations/${queued.id}`))).toMatchObject({ status: 'queued' });

    const worker = startReconciliationWorker(t.app, { everyMs: 20 });
    try {
      await expect
        .poll(async () => (await readJson(await t.request(`/v1/reconciliations/${queued.id}`))).status, {
          timeout: 15_000,
        })
        .toBe('completed');
    } finally {
      await worker.stop();
    }
    const report = await readJson(await t.request(`/v1/reconciliations/${queued.id}`));
    expect(report).toMatchObject({
      provisional: false,
      summary: { mismatches: 0, clean: true, postingsRead: 1 },
      totals: [expect.objectContaining({ invoiced: '145.86', verified: { 'netsuite-us': '145.86' } })],
    });
  });

  it('puts the run in progress back in the queue when its worker stops, without waiting for the read-back', async () => {
    emulator.setFaults({ latencyMs: 1500 });
    clock.advance(60_000);
    const queued = await readJson(await asked({ period: '2026-10' }, 'respond-async'));
    const worker = startReconciliationWorker(t.app, { everyMs: 20 });
    await expect
      .poll(async () => (await t.app.reconciliations.get(queued.id)).status, { timeout: 10_000 })
      .toBe('running');
    await sleep(200); // reading NetSuite back, slowly
    const stopping = Date.now();
    await worker.stop();
    // At most the read in flight finishes: NetSuite's answers take 1.5 s each, the month would take longer.
    expect(Date.now() - stopping).toBeLessThan(4_000);
    const abandoned = await t.app.reconciliations.get(queued.id);
    expect(abandoned).toMatchObject({ status: 'queued', mismatches: [], error: expect.stringMatching(/stopped/) });

    emulator.setFaults({ latencyMs: 0 });
    expect(await t.app.reconciliations.runNext()).toBe(true);
    expect(await t.app.reconciliations.get(queued.id)).toMatchObject({ status: 'completed', summary: { clean: true } });
  });

  it('refuses a bad request before queuing anything', async () => {
    const before = (await readJson(await t.request('/v1/reconciliations'))).items.length;
    const response = await asked({ period: '2026-13', entity: 'XX' }, 'respond-async');
    expect(response.status).toBe(400);
    expect((await readJson(response)).errors.map((error: { path: string }) => error.path)).toEqual([
      '/period',
      '/entity',
    ]);
    expect((await readJson(await t.request('/v1/reconciliations'))).items).toHaveLength(before);
    // Nothing queued, nothing to make.
    expect(await t.app.reconciliations.runNext()).toBe(false);
  });

  it('queues the current and the previous month on its schedule, once between two processes', async () => {
    clock.set('2026-11-06T00:00:00Z');
    const [mine, theirs] = await Promise.all([t.app.reconciliations.schedule(6), other.reconciliations.schedule(6)]);
    expect([...mine, ...theirs].sort()).toEqual(['2026-10', '2026-11']);
    // Within six hours of those, nothing more; after, both again.
    clock.set('2026-11-06T05:59:00Z');
    expect(await t.app.reconciliations.schedule(6)).toEqual([]);
    clock.set('2026-11-06T06:00:01Z');
    expect(await other.reconciliations.schedule(6)).toEqual(['2026-10', '2026-11']);
    const queued = (await readJson(await t.request('/v1/reconciliations?limit=10'))).items.filter(
      (run: { status: string }) => run.status === 'queued',
    );
    expect(queued).toHaveLength(4);
    expect(queued[0]).toMatchObject({ requestedBy: 'system:reconciliation-schedule', repair: false });
    while (await t.app.reconciliations.runNext());
    const made = await Promise.all(queued.map((run: { id: string }) => t.app.reconciliations.get(run.id)));
    expect(made.map((run) => [run.period, run.status, run.provisional, run.summary.clean]).sort()).toEqual([
      ['2026-10', 'completed', false, true],
      ['2026-10', 'completed', false, true],
      ['2026-11', 'completed', true, true],
      ['2026-11', 'completed', true, true],
    ]);
  });

  it('takes over a run whose process stopped answering, makes it once, and keeps nothing of the first attempt', async () => {
    // The first process reads NetSuite back slowly: its run holds its lease, then lets it lapse (stalled).
    emulator.setFaults({ latencyMs: 1500 });
    clock.advance(60_000);
    const first = t.app.reconciliations.run({ period: '2026-10' }, 'ops');
    await sleep(300);
    const [running] = (await readJson(await t.request('/v1/reconciliations?period=2026-10&limit=1'))).items;
    expect(running).toMatchObject({ status: 'running' });
    clock.advance(5 * 60_000);
    emulator.setFaults({ latencyMs: 0 });

    // Another process's worker takes the run over and makes it.
    expect(await other.reconciliations.runNext()).toBe(true);
    const taken = await other.reconciliations.get(running.id);
    expect(taken).toMatchObject({ status: 'completed', summary: { clean: true, mismatches: 0 } });

    // The first attempt comes back: it finds its run taken and answers the report the other made.
    const answered = await first;
    expect(answered).toMatchObject({ id: running.id, status: 'completed', finishedAt: taken.finishedAt });
    expect(await t.app.reconciliations.runNext()).toBe(false);
  });
});
