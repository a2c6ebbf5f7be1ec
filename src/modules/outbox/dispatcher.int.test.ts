import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachStore } from '../../../test/harness/stores.js';
import { WebhookReceiver } from '../../../test/harness/webhook-receiver.js';
import { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { migrate } from '../../platform/database/migrate.js';
import { DeliveryFailure, type Connector, type JournalEntry, type TargetDefinition } from '../connectors/index.js';
import { createWebhookConnector } from '../connectors/webhook/webhook-connector.js';
import { verifyWebhook } from '../connectors/webhook/webhook-signature.js';
import {
  BREAKER_THRESHOLD,
  createDispatcher,
  enqueue,
  listAttempts,
  listTargetStates,
  type NewPosting,
} from './index.js';
import { findPostingsBy } from './posting-queries.js';

const SECRET = 'whsec-test-0123456789';

function journal(externalId: string, amount = '100.00'): JournalEntry {
  return {
    type: 'journal',
    externalId,
    legalEntity: 'US',
    currency: 'USD',
    postingDate: '2026-10-31',
    memo: `usage ${externalId}`,
    lines: [
      { account: '1200', dimensions: {}, debit: amount, credit: '0', memo: 'receivable', references: [] },
      { account: '4000', dimensions: {}, debit: '0', credit: amount, memo: 'revenue', references: [] },
    ],
  };
}

const posting = (externalId: string, after?: string): NewPosting => ({
  targetKey: 'hook',
  externalId,
  kind: 'journal',
  subject: `test:${externalId}`,
  body: journal(externalId),
  after,
});

describeEachStore('the outbox dispatcher, delivering to a real webhook receiver', (stores) => {
  let db: Database;
  let receiver: WebhookReceiver;
  let connector: Connector;
  const clock = new ManualClock('2026-11-01T00:00:00Z');

  beforeEach(async () => {
    db = await stores.fresh();
    await migrate(db);
    receiver = new WebhookReceiver();
    const target: TargetDefinition = {
      key: 'hook',
      kind: 'webhook',
      settings: { url: await receiver.start() },
      credentials: 'HOOK',
      limits: { requestsPerSecond: 1000, concurrency: 4 },
    };
    connector = createWebhookConnector(target, async () => SECRET);
  });
  afterEach(() => receiver.stop());

  const dispatcher = () => createDispatcher({ db, clock, connectorFor: () => connector, requestTimeoutMs: 2000 });
  const enqueueAll = (postings: NewPosting[]) =>
    db.transaction((tx) => enqueue(tx, { topic: 'test', key: 'k', payload: {}, createdAt: clock.now(), postings }));

  /** Runs passes, moving the clock past every backoff, until nothing is left to do (or `passes` ran out). */
  async function drain(run: () => Promise<unknown>, passes = 40): Promise<void> {
    for (let pass = 0; pass < passes; pass += 1) {
      await run();
      const open = await findPostingsBy(db, { statuses: ['pending', 'retrying', 'in_flight'] });
      if (open.length === 0) return;
      clock.advance(10 * 60_000);
    }
  }

  it('delivers each posting once, signed, with its external id as the idempotency key', async () => {
    await enqueueAll(['JE-1', 'JE-2', 'JE-3'].map((id) => posting(id)));
    const summary = await dispatcher().runOnce();
    expect(summary).toEqual({ delivered: 3, adopted: 0, failed: 0, dead: 0 });
    expect([...receiver.stored.keys()].sort()).toEqual(['JE-1', 'JE-2', 'JE-3']);
    for (const request of receiver.requests)
      expect(verifyWebhook(SECRET, request.body, request.signature, Math.floor(Date.now() / 1000))).toBe(true);
    const delivered = await findPostingsBy(db, { statuses: ['delivered'] });
    expect(delivered.map((one) => one.targetDocumentId).sort()).toEqual(['doc-JE-1', 'doc-JE-2', 'doc-JE-3']);
    expect((await listAttempts(db, delivered[0]!.id)).map((attempt) => attempt.outcome)).toEqual(['delivered']);
  });

  it('enqueues a replayed change once: the external id is unique per target', async () => {
    await enqueueAll([posting('JE-1')]);
    await enqueueAll([posting('JE-1')]);
    expect(await findPostingsBy(db, {})).toHaveLength(1);
  });

  it('waits out a 429 storm, honouring Retry-After, halving the target cap, and loses nothing', async () => {
    receiver.answer = (index) =>
      index < 3 ? { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' } : 'store';
    await enqueueAll(['JE-1', 'JE-2', 'JE-3'].map((id) => posting(id)));
    await drain(() => dispatcher().runOnce());
    expect([...receiver.stored.keys()].sort()).toEqual(['JE-1', 'JE-2', 'JE-3']);
    expect((await listTargetStates(db))[0]?.concurrencyCap).toBeLessThan(4);
    const throttled = (await findPostingsBy(db, {})).map(async (one) => listAttempts(db, one.id));
    const classes = (await Promise.all(throttled)).flat().map((attempt) => attempt.failureClass);
    expect(classes.filter((name) => name === 'throttled')).toHaveLength(3);
  });

  it('sends a posting whose answer was lost again under the same key, so the receiver holds it once', async () => {
    receiver.answer = (index) => (index % 3 === 0 ? 'store-then-drop' : 'store');
    await enqueueAll(Array.from({ length: 9 }, (_, i) => posting(`JE-${i + 1}`)));
    await drain(() => dispatcher().runOnce());
    expect(receiver.stored.size).toBe(9);
    const delivered = await findPostingsBy(db, { statuses: ['delivered'] });
    expect(delivered).toHaveLength(9);
    const keys = receiver.requests.map((request) => request.idempotencyKey);
    // Every request of a posting carries its own external id: the retries replay the key.
    expect(new Set(keys)).toEqual(new Set(delivered.map((one) => one.externalId)));
    expect(keys.length).toBeGreaterThan(9);
  });

  it('dead-letters a posting the target refuses, keeping its answer whole', async () => {
    const refusal = 'account 4999 is not in the chart of accounts of subsidiary 1\n(line 2)';
    receiver.answer = () => ({ status: 400, body: refusal });
    await enqueueAll([posting('JE-1')]);
    expect(await dispatcher().runOnce()).toEqual({ delivered: 0, adopted: 0, failed: 0, dead: 1 });
    const [dead] = await findPostingsBy(db, { statuses: ['dead'] });
    const attempts = await listAttempts(db, dead!.id);
    expect(attempts).toMatchObject([
      { outcome: 'failed', failureClass: 'invalid', statusCode: 400, targetText: refusal },
    ]);
  });

  it('opens the breaker after repeated outage failures, sends nothing while open, and closes on a good probe', async () => {
    let down = true;
    receiver.answer = () => (down ? { status: 503, body: '<html>maintenance</html>' } : 'store');
    await enqueueAll([posting('JE-1')]);
    const run = dispatcher();
    for (let failure = 0; failure < BREAKER_THRESHOLD; failure += 1) {
      await run.runOnce();
      clock.advance(10 * 60_000);
    }
    expect((await listTargetStates(db))[0]?.breaker).toBe('open');
    const sent = receiver.requests.length;
    down = false;
    // Due again, but the breaker is open: nothing reaches the target until its cooldown is over.
    clock.advance(-10 * 60_000 + 1000);
    await run.runOnce();
    expect(receiver.requests).toHaveLength(sent);
    clock.advance(60_000);
    await drain(() => run.runOnce());
    expect(receiver.stored.has('JE-1')).toBe(true);
    expect((await listTargetStates(db))[0]).toMatchObject({ breaker: 'closed', consecutiveFailures: 0 });
  });

  it('delivers a posting only after the one it depends on', async () => {
    let invoiceUp = false;
    receiver.answer = (_, request) =>
      request.idempotencyKey === 'INV-1' && !invoiceUp ? { status: 503, body: 'busy' } : 'store';
    await enqueueAll([posting('INV-1'), posting('CM-1', 'INV-1')]);
    await dispatcher().runOnce();
    expect(receiver.requests.map((request) => request.idempotencyKey)).toEqual(['INV-1']);
    invoiceUp = true;
    await drain(() => dispatcher().runOnce());
    expect(receiver.requests.map((request) => request.idempotencyKey).slice(-2)).toEqual(['INV-1', 'CM-1']);
  });

  it('keeps claims outstanding across steps: a settled delivery frees its place for the next claim at once', async () => {
    receiver.answer = () => 'hold';
    await enqueueAll(Array.from({ length: 6 }, (_, i) => posting(`JE-${i + 1}`)));
    const run = dispatcher();
    const requestsReach = async (count: number) => {
      for (let wait = 0; wait < 200 && receiver.requests.length < count; wait += 1) await sleep(10);
      expect(receiver.requests).toHaveLength(count);
    };
    // The first step claims the target's cap and returns without waiting for the answers.
    expect(await run.advance(20)).toBe(true);
    await requestsReach(4);
    // Its cap is full: the next step claims nothing more and only waits.
    expect(await run.advance(20)).toBe(true);
    expect(receiver.requests).toHaveLength(4);
    receiver.release();
    expect(await run.advance(5000)).toBe(true);
    expect(await run.advance(20)).toBe(true);
    await requestsReach(5);
    expect(run.takeSummary()).toEqual({ delivered: 1, adopted: 0, failed: 0, dead: 0 });
    receiver.answer = () => 'store';
    receiver.release(4);
    for (let step = 0; step < 50 && (await run.advance(1000)); step += 1);
    await run.drain();
    expect(receiver.stored.size).toBe(6);
    expect(receiver.requests).toHaveLength(6);
    expect(run.takeSummary()).toEqual({ delivered: 5, adopted: 0, failed: 0, dead: 0 });
  });

  it("gives up on a delivery after the target's own timeout, then reads back: its outcome is unknown", async () => {
    receiver.answer = (index) => (index === 0 ? 'hold' : 'store');
    const slow = createWebhookConnector(
      { ...connector.target, settings: { ...connector.target.settings, timeoutMs: 1000 } },
      async () => SECRET,
    );
    // The dispatcher's own default would wait a minute: the target's setting is what ends the wait.
    const run = createDispatcher({ db, clock, connectorFor: () => slow, requestTimeoutMs: 60_000 });
    await enqueueAll([posting('JE-1')]);
    expect(await run.runOnce()).toEqual({ delivered: 0, adopted: 0, failed: 1, dead: 0 });
    const [waiting] = await findPostingsBy(db, { statuses: ['retrying'] });
    expect(waiting).toMatchObject({ needsLookup: true });
    expect((await listAttempts(db, waiting!.id))[0]).toMatchObject({ failureClass: 'unknown_outcome' });
    receiver.release();
    await drain(() => run.runOnce());
    expect(receiver.stored.size).toBe(1);
  });

  it('keeps reading back after an unknown outcome until a read-back answers, even if one fails', async () => {
    const calls: string[] = [];
    let findFails = true;
    const flaky: Connector = {
      target: connector.target,
      async deliver(body) {
        calls.push('deliver');
        if (calls.length === 1) throw new DeliveryFailure('unknown_outcome', 'the answer was lost');
        return { id: `doc-${body.externalId}` };
      },
      async find() {
        calls.push('find');
        if (findFails) throw new DeliveryFailure('throttled', 'slow down');
        return undefined;
      },
    };
    const run = createDispatcher({ db, clock, connectorFor: () => flaky });
    await enqueueAll([posting('JE-1')]);
    await run.runOnce();
    clock.advance(10 * 60_000);
    await run.runOnce(); // the read-back is throttled: it proved nothing
    findFails = false;
    clock.advance(10 * 60_000);
    await run.runOnce();
    expect(calls).toEqual(['deliver', 'find', 'find', 'deliver']);
    expect(await findPostingsBy(db, { statuses: ['delivered'] })).toHaveLength(1);
  });

  it('never delivers a posting twice when two dispatchers run at once', async () => {
    await enqueueAll(Array.from({ length: 30 }, (_, i) => posting(`JE-${i + 1}`)));
    const [first, second] = [dispatcher(), dispatcher()];
    for (let pass = 0; pass < 20 && receiver.stored.size < 30; pass += 1)
      await Promise.all([first.runOnce(), second.runOnce()]);
    expect(receiver.stored.size).toBe(30);
    expect(receiver.requests).toHaveLength(30);
    expect(receiver.duplicates.size).toBe(0);
  });
});
