import { afterEach, expect, it } from 'vitest';
import { applyStory, completion, send, STORY_CATALOG } from '../../../test/scenarios/one-month-story.js';
import { describeEachStore, type TestStores } from '../../../test/harness/stores.js';
import { startTestApp, testConfig, type TestApp } from '../../../test/harness/test-app.js';
import { WebhookReceiver } from '../../../test/harness/webhook-receiver.js';
import type { Config } from '../../config/index.js';
import { createApp, type App } from '../../main.js';
import { ManualClock } from '../../platform/clock.js';
import { verifyWebhook } from '../connectors/webhook/webhook-signature.js';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from './index.js';

const SECRET = 'alert-hook-signing-secret';
const secrets = async (name: string) => {
  if (name !== 'ALERT_HOOK') throw new Error(`unexpected secret ${name}`);
  return SECRET;
};

/** Only the exceptions-growing rule, notified to the receiver at `url`. */
function config(url: string): Config {
  const rules = structuredClone(DEFAULT_ALERT_SETTINGS.rules);
  for (const rule of Object.values(rules)) rule.enabled = false;
  rules.exceptionsGrowing = { enabled: true, by: 5, windowMinutes: 60 };
  const alerts: AlertSettings = {
    evaluateEverySeconds: 60,
    webhook: { url, secret: 'ALERT_HOOK', timeoutMs: 5000 },
    rules,
  };
  return { ...testConfig(), alerts };
}

describeEachStore('alert notifications', (stores: TestStores) => {
  const closing: { close(): Promise<void> }[] = [];
  const receiver = new WebhookReceiver();
  afterEach(async () => {
    for (const one of closing.splice(0).reverse()) await one.close();
    await receiver.stop();
    receiver.requests.length = 0;
    receiver.stored.clear();
    receiver.answer = () => 'store';
  });

  /** A first process with the story and ten unattributable completions metered: the rule has something to find. */
  async function given(clock: ManualClock): Promise<{ t: TestApp; url: string }> {
    const url = await receiver.start();
    const t = await startTestApp(stores, { clock, config: config(url), secrets });
    closing.push(t);
    await applyStory(t, STORY_CATALOG);
    await send(
      t,
      Array.from({ length: 10 }, (_, i) => completion(`x-${i}`, 'nobody', '2026-10-20T08:00:00Z', 10)),
    );
    await t.app.metering.stage.runUntilCaughtUp();
    return { t, url };
  }
  const another = async (t: TestApp, url: string, clock: ManualClock): Promise<App> => {
    const app = await createApp(config(url), { db: t.app.db, clock, secrets });
    closing.push(app);
    return app;
  };
  const keys = () => receiver.requests.map((request) => request.idempotencyKey);

  it('sends one signed delivery per firing and one per resolution, with two processes evaluating at once and a restart between', async () => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    const { t, url } = await given(clock);
    const other = await another(t, url, clock);

    // Two processes evaluate and deliver at once: one firing, one delivery.
    const [a, b] = await Promise.all([t.app.alerts.evaluate(), other.alerts.evaluate()]);
    expect([...a.fired, ...b.fired].map((alert) => alert.rule)).toEqual(['exceptions_growing']);
    await Promise.all([t.app.alerts.deliver(), other.alerts.deliver(), t.app.alerts.deliver()]);
    const id = [...a.fired, ...b.fired][0]?.id;
    expect(keys()).toEqual([`alert-${id}-fired`]);

    const [request] = receiver.requests;
    expect(verifyWebhook(SECRET, request?.body ?? '', request?.signature, clock.now().getTime() / 1000)).toBe(true);
    expect(JSON.parse(request?.body ?? '')).toMatchObject({
      type: 'alert.fired',
      key: `alert-${id}-fired`,
      alert: { id, rule: 'exceptions_growing', subject: 'metering', state: 'open', observed: '10', threshold: '5' },
    });
    expect(request?.body).not.toContain(SECRET);

    // A restart (a new process on the same store) evaluates again: still open, nothing sent again.
    const restarted = await another(t, url, clock);
    expect((await restarted.alerts.evaluate()).fired).toEqual([]);
    await restarted.alerts.deliver();
    expect(keys()).toHaveLength(1);

    // The exceptions stop growing: resolved once, by whichever process gets there, delivered once.
    clock.advance(61 * 60_000);
    const resolutions = await Promise.all([
      restarted.alerts.evaluate(),
      other.alerts.evaluate(),
      t.app.alerts.evaluate(),
    ]);
    expect(resolutions.flatMap((result) => result.resolved).map((alert) => alert.id)).toEqual([id]);
    await Promise.all([restarted.alerts.deliver(), other.alerts.deliver()]);
    await t.app.alerts.deliver();
    expect(keys()).toEqual([`alert-${id}-fired`, `alert-${id}-resolved`]);
    expect(JSON.parse(receiver.requests[1]?.body ?? '')).toMatchObject({
      type: 'alert.resolved',
      alert: { id, state: 'resolved', resolvedAt: clock.now().toISOString() },
    });
    expect((await t.app.alerts.status()).notifications.waiting).toBe(0);
  });

  it('retries a delivery the receiver refused, later and under the same key, until it is taken', async () => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    const { t } = await given(clock);
    receiver.answer = (index) => (index === 0 ? { status: 503 } : 'store');
    const { fired } = await t.app.alerts.evaluate();
    expect(await t.app.alerts.deliver()).toEqual({ delivered: 0, failed: 1 });
    // Not due again at once: the backoff holds it.
    expect(await t.app.alerts.deliver()).toEqual({ delivered: 0, failed: 0 });
    const status = await t.app.alerts.status();
    expect(status.notifications).toMatchObject({ waiting: 1, lastError: 'the webhook answered 503' });
    clock.advance(60_000);
    expect(await t.app.alerts.deliver()).toEqual({ delivered: 1, failed: 0 });
    expect(keys()).toEqual([`alert-${fired[0]?.id}-fired`, `alert-${fired[0]?.id}-fired`]);
    expect(receiver.stored.size).toBe(1);
  });

  it('takes over a delivery whose process died holding it, once its lease has run out', async () => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    const { t, url } = await given(clock);
    const { fired } = await t.app.alerts.evaluate();
    // A process claims the notification and dies before sending it.
    await t.app.db.query(`update alert_notifications set lease_until = $1, attempts = 1`, [
      new Date(clock.now().getTime() + 300_000),
    ]);
    const successor = await another(t, url, clock);
    expect(await successor.alerts.deliver()).toEqual({ delivered: 0, failed: 0 });
    clock.advance(300_000);
    expect(await successor.alerts.deliver()).toEqual({ delivered: 1, failed: 0 });
    expect(keys()).toEqual([`alert-${fired[0]?.id}-fired`]);
  });
});
