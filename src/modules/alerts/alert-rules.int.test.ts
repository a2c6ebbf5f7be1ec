import { afterEach, expect, it } from 'vitest';
import { applyStory, completion, send, STORY_CATALOG } from '../../../test/scenarios/one-month-story.js';
import { describeEachStore, type TestStores } from '../../../test/harness/stores.js';
import { startTestApp, testConfig, type TestApp } from '../../../test/harness/test-app.js';
import { ManualClock } from '../../platform/clock.js';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from './index.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Every rule on, with thresholds small enough for a test's data. */
function settings(): AlertSettings {
  const rules = structuredClone(DEFAULT_ALERT_SETTINGS.rules);
  rules.unbilledUsage.afterHours = 96;
  rules.exceptionsGrowing = { enabled: true, by: 5, windowMinutes: 60 };
  rules.schemaRejections = { enabled: true, perMinute: '1', windowMinutes: 10 };
  return { evaluateEverySeconds: 60, rules };
}

/** The open alerts of one rule, as (subject, observed). */
async function openOf(t: TestApp, rule: string): Promise<[string, string | null][]> {
  const page = await t.app.alerts.list({ state: 'open', rule });
  return page.items.map((alert) => [alert.subject, alert.observed]);
}

describeEachStore('alert rules on real data', (stores: TestStores) => {
  const opened: TestApp[] = [];
  afterEach(async () => {
    for (const t of opened.splice(0)) await t.close();
  });
  const start = async (clock: ManualClock): Promise<TestApp> => {
    const t = await startTestApp(stores, { clock, config: { ...testConfig(), alerts: settings() } });
    opened.push(t);
    await applyStory(t, STORY_CATALOG);
    return t;
  };

  it('fires for usage still unbilled 96 h after its period ended, and resolves once it is invoiced', async () => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    const t = await start(clock);
    await send(t, [
      completion('u-1', 'acme', '2026-10-03T10:00:00Z', 1200),
      completion('u-2', 'initech', '2026-10-19T10:00:00Z', 300),
    ]);
    await t.app.metering.stage.runUntilCaughtUp();

    clock.set('2026-11-04T23:59:59Z');
    await t.app.alerts.evaluate();
    expect(await openOf(t, 'unbilled_usage')).toEqual([]);

    clock.set('2026-11-05T00:00:00Z');
    const fired = await t.app.alerts.evaluate();
    expect(fired.fired.map((alert) => [alert.rule, alert.subject, alert.observed])).toEqual([
      ['unbilled_usage', 'US:2026-10', '2'],
    ]);
    expect(fired.fired[0]?.details).toMatchObject({
      periodsFrom: '2026-10',
      legalEntity: 'US',
      records: '2',
      subscriptions: ['acme-team', 'initech-team'],
    });

    // Billed and finalized: nothing of October is unbilled any more.
    await t.app.billing.run('2026-10', 'finance');
    for (const draft of await t.app.billing.list({ status: 'draft' }, 100))
      await t.app.billing.finalize(draft.id, 'finance');
    clock.set('2026-11-05T00:01:00Z');
    const resolved = await t.app.alerts.evaluate();
    expect(resolved.resolved.map((alert) => alert.subject)).toEqual(['US:2026-10']);
    expect(resolved.resolved[0]?.resolvedAt?.toISOString()).toBe('2026-11-05T00:01:00.000Z');
    expect(await openOf(t, 'unbilled_usage')).toEqual([]);
  });

  it("judges usage by its subscription's own period: one anchored on the 15th is not overdue at its month's end", async () => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    const t = await startTestApp(stores, { clock, config: { ...testConfig(), alerts: settings() } });
    opened.push(t);
    // Initech's periods run from the 15th: its October usage is billed with the period ending 15 November.
    const anchored = STORY_CATALOG.replace(/anchorDay: 1\n(\s+latePolicy: memo)/, 'anchorDay: 15\n$1');
    expect(anchored).not.toBe(STORY_CATALOG);
    await applyStory(t, anchored);
    await send(t, [
      completion('u-1', 'acme', '2026-10-03T10:00:00Z', 1200),
      completion('u-2', 'initech', '2026-10-19T10:00:00Z', 300),
    ]);
    await t.app.metering.stage.runUntilCaughtUp();

    clock.set('2026-11-05T00:00:00Z');
    const early = await t.app.alerts.evaluate();
    expect(early.fired.map((alert) => [alert.subject, alert.observed, alert.details.subscriptions])).toEqual([
      ['US:2026-10', '1', ['acme-team']],
    ]);

    // 96 h after Initech's period ended, its usage is overdue too.
    clock.set('2026-11-19T00:00:00Z');
    await t.app.alerts.evaluate();
    expect(await openOf(t, 'unbilled_usage')).toEqual([['US:2026-10', '2']]);
  });

  it('fires while open exceptions grow by more than 5 in an hour, and resolves once they stop growing', async () => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    const t = await start(clock);
    // Ten completions of a subject no customer has: ten exceptions.
    await send(
      t,
      Array.from({ length: 10 }, (_, i) => completion(`x-${i}`, 'nobody', '2026-10-20T08:00:00Z', 10)),
    );
    await t.app.metering.stage.runUntilCaughtUp();
    await t.app.alerts.evaluate();
    expect(await openOf(t, 'exceptions_growing')).toEqual([['metering', '10']]);

    clock.advance(30 * MINUTE);
    await t.app.alerts.evaluate();
    expect(await openOf(t, 'exceptions_growing')).toEqual([['metering', '10']]);

    clock.advance(31 * MINUTE);
    const later = await t.app.alerts.evaluate();
    expect(later.resolved.map((alert) => alert.rule)).toEqual(['exceptions_growing']);
  });

  it('fires when ingestion rejects more than one event a minute over ten minutes, counted in the store', async () => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    const t = await start(clock);
    // Ten rejected (tokens must be an integer): 1 a minute, not above the rate.
    await send(
      t,
      Array.from({ length: 10 }, (_, i) => completion(`r-${i}`, 'acme', '2026-10-20T08:00:00Z', 'many')),
    );
    await t.app.rejections.settled();
    await t.app.alerts.evaluate();
    expect(await openOf(t, 'schema_rejections')).toEqual([]);

    clock.advance(MINUTE);
    await send(t, [completion('r-10', 'acme', '2026-10-20T08:00:00Z', 'many')]);
    await t.app.rejections.settled();
    await t.app.alerts.evaluate();
    expect(await openOf(t, 'schema_rejections')).toEqual([['ingestion', '1.1']]);

    // Ten minutes on, those minutes have left the window.
    clock.advance(10 * MINUTE);
    expect((await t.app.alerts.evaluate()).resolved.map((alert) => alert.rule)).toEqual(['schema_rejections']);
  });

  it('tells a silent meter (events arrive, no usage) from a quiet product (no events at all)', async () => {
    const now = new Date('2026-10-20T12:00:00Z').getTime();
    const clock = new ManualClock(new Date(now - 8 * DAY));
    const t = await start(clock);
    // Given: twenty completions half an hour before noon on each of the seven previous days, all metered.
    for (let day = 7; day >= 1; day -= 1) {
      clock.set(new Date(now - day * DAY - 30 * MINUTE));
      await send(
        t,
        Array.from({ length: 20 }, (_, i) => completion(`d${day}-${i}`, 'acme', clock.now().toISOString(), 5)),
      );
      await t.app.metering.stage.runUntilCaughtUp();
    }

    // When nothing arrives in the last hour: the product is quiet, an observation and no alert.
    clock.set(new Date(now));
    const quiet = await t.app.alerts.evaluate();
    expect(quiet.fired.filter((alert) => alert.rule === 'silent_meter')).toEqual([]);
    expect(quiet.observations.map((o) => [o.rule, o.subject, o.state])).toEqual([['silent_meter', 'tokens', 'quiet']]);
    expect(quiet.observations[0]?.details).toMatchObject({
      usage: '0',
      usageBaseline: '20',
      rawEvents: '0',
      rawBaseline: '20',
    });

    // When completions arrive as usual but metering makes no usage of them (their subject maps to no
    // customer): metering is broken, the alert fires.
    clock.set(new Date(now - 30 * MINUTE));
    await send(
      t,
      Array.from({ length: 20 }, (_, i) => completion(`today-${i}`, 'nobody', clock.now().toISOString(), 5)),
    );
    await t.app.metering.stage.runUntilCaughtUp();
    clock.set(new Date(now));
    const silent = await t.app.alerts.evaluate();
    expect(
      silent.fired
        .filter((alert) => alert.rule === 'silent_meter')
        .map((alert) => [alert.subject, alert.observed, alert.threshold]),
    ).toEqual([['tokens', '0', '2']]);
    expect(silent.observations).toEqual([]);

    // When usage comes back (the next hour metered as usual), the alert resolves.
    clock.set(new Date(now + 30 * MINUTE));
    await send(
      t,
      Array.from({ length: 20 }, (_, i) => completion(`back-${i}`, 'acme', clock.now().toISOString(), 5)),
    );
    await t.app.metering.stage.runUntilCaughtUp();
    clock.set(new Date(now + 60 * MINUTE));
    const back = await t.app.alerts.evaluate();
    expect(back.resolved.filter((alert) => alert.rule === 'silent_meter').map((alert) => alert.subject)).toEqual([
      'tokens',
    ]);
  });
});
