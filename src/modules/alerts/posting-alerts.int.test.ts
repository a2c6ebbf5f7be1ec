import { afterEach, expect, it } from 'vitest';
import { ledgerHookCatalog } from '../../../test/fixtures/ledger-hook.js';
import { applyStory, completion, post, send } from '../../../test/scenarios/one-month-story.js';
import { describeEachStore, type TestStores } from '../../../test/harness/stores.js';
import { startTestApp, testConfig, type TestApp } from '../../../test/harness/test-app.js';
import { WebhookReceiver } from '../../../test/harness/webhook-receiver.js';
import { ManualClock } from '../../platform/clock.js';
import { listTargetStates } from '../outbox/index.js';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from './index.js';

const MINUTE = 60_000;

/** The three posting rules; postings count as stuck after ten hours. */
function settings(): AlertSettings {
  const rules = structuredClone(DEFAULT_ALERT_SETTINGS.rules);
  for (const rule of Object.values(rules)) rule.enabled = false;
  rules.stuckPostings = { enabled: true, olderThanMinutes: 600 };
  rules.deadLetters.enabled = true;
  rules.breakerOpen.enabled = true;
  return { evaluateEverySeconds: 60, rules };
}

describeEachStore('posting alerts on a real target', (stores: TestStores) => {
  const receiver = new WebhookReceiver();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    await receiver.stop();
  });

  it('fire for a stuck posting, an open breaker and a dead letter of the target, and resolve once it is delivered', async () => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    const url = await receiver.start();
    receiver.answer = () => ({ status: 503 });
    t = await startTestApp(stores, {
      clock,
      config: { ...testConfig(), alerts: settings() },
      secrets: async () => 'ledger-hook-secret',
    });
    const app = t.app;
    await applyStory(t, ledgerHookCatalog(url));
    await send(t, [completion('a-1', 'acme', '2026-10-03T10:00:00Z', 12000)]);
    await app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-01T01:00:00Z');
    await post(t, '/v1/billing-runs', { period: '2026-10' });
    clock.set('2026-11-04T02:00:00Z');
    await post(t, '/v1/invoices/finalize-due');
    const open = async () =>
      (await app.alerts.list({ state: 'open' })).items.map((alert) => [alert.rule, alert.subject]).sort();

    // The day's entry waits to be sent (the next day, 01:00): nine hours pending is not stuck.
    clock.set('2026-11-04T11:00:00Z');
    await app.alerts.evaluate();
    expect(await open()).toEqual([]);

    // The target answers 503 to every attempt: retrying for 23 hours is stuck; five outage failures open the breaker.
    clock.set('2026-11-05T01:00:01Z');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await app.dispatcher.runOnce();
      clock.advance(6 * MINUTE);
    }
    expect((await listTargetStates(app.db))[0]?.breaker).toBe('open');
    const fired = await app.alerts.evaluate();
    expect(fired.fired.map((alert) => [alert.rule, alert.subject, alert.observed]).sort()).toEqual([
      ['breaker_open', 'ledger-hook', '5'],
      ['stuck_postings', 'ledger-hook', '1410'],
    ]);

    // The target now refuses the entry (400): dead at once, no longer waiting.
    receiver.answer = () => ({ status: 400, body: 'account 4000 is closed' });
    clock.advance(MINUTE);
    await app.dispatcher.runOnce();
    const [dead] = await app.postings.list({ statuses: ['dead'] }, 10);
    expect(dead?.status).toBe('dead');
    const second = await app.alerts.evaluate();
    expect(second.fired.map((alert) => [alert.rule, alert.subject, alert.observed])).toEqual([
      ['dead_letters', 'ledger-hook', '1'],
    ]);
    expect(second.resolved.map((alert) => alert.rule)).toContain('stuck_postings');

    // Fixed and retried, it is delivered: every alert of the target resolves.
    receiver.answer = () => 'store';
    await app.postings.retry(dead?.id ?? '', 'ops');
    clock.advance(MINUTE);
    await app.dispatcher.runOnce();
    await app.alerts.evaluate();
    expect(await open()).toEqual([]);
    const resolved = (await app.alerts.list({ state: 'resolved' })).items.map((alert) => alert.rule).sort();
    expect(resolved).toEqual(['breaker_open', 'dead_letters', 'stuck_postings']);
  });
});
