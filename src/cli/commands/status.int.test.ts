import { afterEach, expect, it } from 'vitest';
import { applyStory, completion, send, STORY_CATALOG } from '../../../test/scenarios/one-month-story.js';
import { runCommand } from '../../../test/harness/run-command.js';
import { describeEachStore, type TestStores } from '../../../test/harness/stores.js';
import { startTestApp, testConfig, type TestApp } from '../../../test/harness/test-app.js';
import { WebhookReceiver } from '../../../test/harness/webhook-receiver.js';
import type { Config } from '../../config/index.js';
import { createApp } from '../../main.js';
import { DEFAULT_ALERT_SETTINGS } from '../../modules/alerts/index.js';
import { ManualClock } from '../../platform/clock.js';
import { startAlertWorker } from '../../workers/alert-worker.js';
import { statusCommand } from './status.js';

function config(url?: string): Config {
  const rules = structuredClone(DEFAULT_ALERT_SETTINGS.rules);
  rules.exceptionsGrowing = { enabled: true, by: 5, windowMinutes: 60 };
  return {
    ...testConfig(),
    alerts: { evaluateEverySeconds: 60, rules, ...(url && { webhook: { url, timeoutMs: 5000 } }) },
  };
}

describeEachStore('meterbridge status and the alert worker', (stores: TestStores) => {
  const receiver = new WebhookReceiver();
  let t: TestApp | undefined;
  let listening = false;
  afterEach(async () => {
    await t?.close();
    if (listening) await receiver.stop();
    listening = false;
  });

  it('status prints no alert and objectives without data on a quiet store, exit 0; --evaluate finds the growing exceptions, exit 2', async () => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    t = await startTestApp(stores, { clock, config: config() });
    const db = t.app.db;
    const status = (args: string[]) =>
      runCommand(statusCommand({ openApp: () => createApp(config(), { db, clock }) }), args);
    await applyStory(t, STORY_CATALOG);

    const quiet = await status([]);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(/^alerts: none open\nservice levels:\n {2}usage_latency +no_data +no data \(0 met/);

    await send(
      t,
      Array.from({ length: 10 }, (_, i) => completion(`x-${i}`, 'nobody', '2026-10-20T08:00:00Z', 10)),
    );
    await t.app.metering.stage.runUntilCaughtUp();
    const evaluated = await status(['--evaluate']);
    expect(evaluated.code).toBe(2);
    expect(evaluated.stdout).toContain(
      'alerts open: 1\n  exceptions_growing  metering  since 2026-10-20T09:00:00.000Z',
    );
    const json = JSON.parse((await status(['--json'])).stdout) as { alerts: { open: { rule: string }[] } };
    expect(json.alerts.open.map((alert) => alert.rule)).toEqual(['exceptions_growing']);
  });

  it('serve evaluates on its interval and delivers the firing once', async () => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    const url = await receiver.start();
    listening = true;
    t = await startTestApp(stores, { clock, config: config(url) });
    await applyStory(t, STORY_CATALOG);
    await send(
      t,
      Array.from({ length: 10 }, (_, i) => completion(`x-${i}`, 'nobody', '2026-10-20T08:00:00Z', 10)),
    );
    await t.app.metering.stage.runUntilCaughtUp();
    const worker = startAlertWorker(t.app, { everyMs: 20 });
    await expect.poll(() => receiver.requests.length, { timeout: 10_000 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200)); // several more evaluations
    await worker.stop();
    expect(receiver.requests.map((request) => request.idempotencyKey)).toEqual([
      expect.stringMatching(/^alert-\d+-fired$/),
    ]);
    // No secret configured: sent unsigned.
    expect(receiver.requests[0]?.signature).toBeUndefined();
  });
});
