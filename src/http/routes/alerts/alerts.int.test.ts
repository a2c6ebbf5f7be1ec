import { afterEach, expect, it } from 'vitest';
import { applyStory, completion, send, STORY_CATALOG } from '../../../../test/scenarios/one-month-story.js';
import { expectProblem } from '../../../../test/harness/expect-problem.js';
import { readJson } from '../../../../test/harness/read-json.js';
import { describeEachStore, type TestStores } from '../../../../test/harness/stores.js';
import { startTestApp, testConfig, type TestApp } from '../../../../test/harness/test-app.js';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from '../../../modules/alerts/index.js';
import { DEFAULT_SERVICE_LEVEL_SETTINGS } from '../../../modules/service-levels/index.js';
import { ManualClock } from '../../../platform/clock.js';

const MINUTE = 60_000;

function alertSettings(): AlertSettings {
  const rules = structuredClone(DEFAULT_ALERT_SETTINGS.rules);
  rules.exceptionsGrowing = { enabled: true, by: 5, windowMinutes: 60 };
  rules.schemaRejections = { enabled: true, perMinute: '0.5', windowMinutes: 10 };
  return { evaluateEverySeconds: 60, rules };
}

describeEachStore('GET /v1/alerts, POST /v1/alerts/evaluate, GET /v1/service-levels', (stores: TestStores) => {
  const opened: TestApp[] = [];
  afterEach(async () => {
    for (const t of opened.splice(0)) await t.close();
  });
  const start = async (clock: ManualClock): Promise<TestApp> => {
    const serviceLevels = {
      ...DEFAULT_SERVICE_LEVEL_SETTINGS,
      usageLatency: { enabled: true, seconds: 5, target: '0.9', windowDays: 30 },
      exceptionResolution: { enabled: true, hours: 48, target: '0.5', windowDays: 30 },
    };
    const t = await startTestApp(stores, {
      clock,
      config: { ...testConfig(), alerts: alertSettings(), serviceLevels },
    });
    opened.push(t);
    await applyStory(t, STORY_CATALOG);
    return t;
  };

  it('lists firings newest first, open or resolved, paged; exports open alerts by rule as metrics', async () => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    const t = await start(clock);
    // Given: ten exceptions and ten rejected events, evaluated on demand.
    await send(
      t,
      Array.from({ length: 10 }, (_, i) => completion(`x-${i}`, 'nobody', '2026-10-20T08:00:00Z', 10)),
    );
    await send(
      t,
      Array.from({ length: 10 }, (_, i) => completion(`r-${i}`, 'acme', '2026-10-20T08:00:00Z', 'x')),
    );
    await t.app.metering.stage.runUntilCaughtUp();
    await t.app.rejections.settled();
    const evaluated = await t.request('/v1/alerts/evaluate', { method: 'POST' });
    expect(evaluated.status).toBe(200);
    const body = await readJson(evaluated);
    expect((body.fired as { rule: string }[]).map((alert) => alert.rule).sort()).toEqual([
      'exceptions_growing',
      'schema_rejections',
    ]);

    const open = await readJson(await t.request('/v1/alerts?state=open&limit=1'));
    expect(open.items).toHaveLength(1);
    expect(open.next).toEqual(expect.any(String));
    const second = await readJson(await t.request(`/v1/alerts?state=open&limit=1&before=${String(open.next)}`));
    expect(second).toMatchObject({ items: [{ state: 'open' }], next: null });
    expect(await readJson(await t.request('/v1/alerts?state=resolved'))).toEqual({ items: [], next: null });

    const metrics = await (await t.request('/metrics', { key: null })).text();
    expect(metrics).toContain('meterbridge_alerts_open{rule="exceptions_growing"} 1');
    expect(metrics).toContain('meterbridge_alerts_open{rule="schema_rejections"} 1');
    expect(metrics).toContain('meterbridge_alerts_open{rule="dead_letters"} 0');

    // Eleven minutes on the rejections left the window: resolved, and listed as such.
    clock.advance(11 * MINUTE);
    await t.request('/v1/alerts/evaluate', { method: 'POST' });
    const resolved = await readJson(await t.request('/v1/alerts?state=resolved&rule=schema_rejections'));
    expect(resolved.items).toMatchObject([
      { rule: 'schema_rejections', subject: 'ingestion', state: 'resolved', resolvedAt: '2026-10-20T09:11:00.000Z' },
    ]);
    // A read key may list; evaluating takes finance.
    const read = await t.keyFor('read');
    expect((await t.request('/v1/alerts', { key: read })).status).toBe(200);
    expect((await t.request('/v1/alerts/evaluate', { method: 'POST', key: read })).status).toBe(403);
  });

  it('reports service levels met, missed or without data, and exports them as metrics', async () => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    const t = await start(clock);
    // Nine events metered within a second, one after ten seconds: 90 % within 5 s against a 0.9 target.
    await send(
      t,
      Array.from({ length: 9 }, (_, i) => completion(`f-${i}`, 'acme', '2026-10-20T08:00:00Z', 10)),
    );
    clock.advance(1000);
    await t.app.metering.stage.runUntilCaughtUp();
    await send(t, [completion('slow', 'acme', '2026-10-20T08:00:00Z', 10)]);
    clock.advance(10_000);
    await t.app.metering.stage.runUntilCaughtUp();
    // Two exceptions: one ignored an hour later, one still open past 48 h: 1 of 2 against 0.5.
    await send(t, [
      completion('e-1', 'nobody', '2026-10-20T08:00:00Z', 1),
      completion('e-2', 'nobody', '2026-10-20T08:00:00Z', 1),
    ]);
    await t.app.metering.stage.runUntilCaughtUp();
    clock.advance(60 * MINUTE);
    const [first] = (await t.app.metering.exceptions.list({ filter: { status: 'open' }, limit: 10 })).items;
    await t.app.metering.exceptions.ignore([first?.id], 'test traffic', 'ops');
    clock.advance(48 * 60 * MINUTE);

    const report = await readJson(await t.request('/v1/service-levels'));
    expect(report.objectives).toEqual([
      expect.objectContaining({
        objective: 'usage_latency',
        status: 'met',
        attainment: '0.9',
        met: '9',
        missed: '1',
        target: '0.9',
      }),
      expect.objectContaining({ objective: 'invoicing', status: 'no_data', attainment: null, met: '0', missed: '0' }),
      expect.objectContaining({
        objective: 'exception_resolution',
        status: 'met',
        attainment: '0.5',
        met: '1',
        missed: '1',
      }),
      // Reconciliation's objective (registered by the app): nothing was posted here.
      expect.objectContaining({ objective: 'reconciliation', status: 'no_data', met: '0', missed: '0' }),
    ]);
    expect(report.failures).toEqual([]);
    const metrics = await (await t.request('/metrics', { key: null })).text();
    expect(metrics).toContain('meterbridge_service_level_attainment{objective="usage_latency"} 0.9');
    expect(metrics).toContain('meterbridge_service_level_met{objective="exception_resolution"} 1');
    expect(metrics).not.toContain('meterbridge_service_level_met{objective="invoicing"}');
  });

  it('counts each period invoiced within 72 h of its end, one late and one still a draft past the bound', async () => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    const t = await start(clock);
    await send(t, [
      completion('a-1', 'acme', '2026-10-03T10:00:00Z', 100),
      completion('i-1', 'initech', '2026-10-05T10:00:00Z', 100),
    ]);
    await t.app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-01T01:00:00Z');
    await t.app.billing.run('2026-10', 'finance');
    const drafts = (await readJson(await t.request('/v1/invoices?status=draft'))).items as {
      id: string;
      customer: string;
    }[];
    const acme = drafts.find((draft) => draft.customer === 'acme');
    // Acme's invoice is finalized 71 h after the period's end; Initech's is still a draft at 74 h.
    clock.set('2026-11-03T23:00:00Z');
    await t.app.billing.finalize(acme?.id ?? '', 'finance');
    clock.set('2026-11-04T02:00:00Z');
    const report = await readJson(await t.request('/v1/service-levels'));
    expect(report.objectives).toContainEqual(
      expect.objectContaining({
        objective: 'invoicing',
        status: 'missed',
        attainment: '0.5',
        met: '1',
        missed: '1',
        pending: '0',
      }),
    );
  });

  it('answers hostile or malformed query parameters with 400s naming each, never a 500', async () => {
    const t = await start(new ManualClock('2026-10-20T09:00:00Z'));
    const cases: [string, string[]][] = [
      ['/v1/alerts?state=%00', ['/query/state']],
      ['/v1/alerts?rule=%ED%A0%80', []],
      ['/v1/alerts?rule=a%00b', ['/query/rule']],
      ['/v1/alerts?limit=99999999999999999999999', ['/query/limit']],
      ['/v1/alerts?before=1e309', ['/query/before']],
      ['/v1/alerts?before=99999999999999999999', ['/query/before']],
      ['/v1/alerts?before=0&limit=0&state=closed', ['/query/state', '/query/before', '/query/limit']],
      ['/v1/alerts?state=open&state=resolved', []],
      ['/v1/alerts?unknown=1', []],
      ['/v1/alerts?rule=' + 'x'.repeat(501), ['/query/rule']],
      ['/v1/service-levels?window=1', []],
      ['/v1/service-levels?%00=1', []],
    ];
    for (const [path, errorPaths] of cases) {
      const response = await t.request(path);
      expect(response.status, path).toBe(400);
      const problem = await expectProblem(response, 400, /./);
      for (const errorPath of errorPaths)
        expect(
          (problem.errors as { path: string }[]).map((error) => error.path),
          path,
        ).toContain(errorPath);
    }
    expect((await t.request('/v1/alerts', { key: null })).status).toBe(401);
  });
});
