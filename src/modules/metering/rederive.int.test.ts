import { beforeEach, expect, it } from 'vitest';
import { describeEachStore } from '../../../test/harness/stores.js';
import type { App } from '../../main.js';
import type { Database } from '../../platform/database/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { referenceCatalogDocument } from '../../../test/fixtures/reference-catalog.js';
import {
  apiRequest,
  exceptionRows,
  ingestAll,
  meteringFixture,
  supportSession,
  usageRows,
} from '../../../test/fixtures/metering.js';

type Doc = ReturnType<typeof referenceCatalogDocument>;

describeEachStore('replay, reprocess and ignore', (stores) => {
  let db: Database;
  let app: App;

  const applyChanged = async (change: (document: Doc) => void) => {
    const document = referenceCatalogDocument();
    change(document);
    await app.catalog.apply(JSON.stringify(document), 'catalog.json', 'test');
  };
  const acme = (document: Doc) => document.customers.find((c: { key: string }) => c.key === 'acme');
  const OCTOBER = { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z', actor: 'test' };
  const audit = async () =>
    (
      await db.query<{ action: string; target: string; actor: string; detail: Record<string, unknown> }>(
        'select action, target, actor, detail from audit_log order by id',
      )
    ).rows;

  beforeEach(async () => {
    db = await stores.fresh();
    ({ app } = await meteringFixture(db));
  });

  it('reprocess turns fixed exceptions into usage; what is still broken stays open', async () => {
    await ingestAll(app, [
      supportSession('acct_9999', '2026-10-05T00:00:00Z', { duration_hours: 2 }),
      supportSession('acct_8888', '2026-10-05T00:00:00Z', { duration_hours: 3 }),
    ]);
    await app.metering.stage.runUntilCaughtUp();
    expect((await exceptionRows(db)).map((e) => e.reason)).toEqual(['unknown_subject', 'unknown_subject']);

    await applyChanged((document) => acme(document).aliases.push('acct_9999'));
    const result = await app.metering.exceptions.reprocess({ filter: { reason: 'unknown_subject' } }, 'alice');
    expect(result).toMatchObject({
      selected: 2,
      stillOpen: 1,
      catalogVersion: 2,
      usage: { created: 1 },
      exceptions: { resolved: 1 },
    });
    expect(await usageRows(db)).toEqual([
      expect.objectContaining({ meter_key: 'support_hours', customer_key: 'acme', value: '2', catalog_version: 2 }),
    ]);
    expect((await exceptionRows(db)).map((e) => [e.status, e.resolution])).toEqual([
      ['resolved', 'reprocessed'],
      ['open', null],
    ]);
    expect(await audit()).toEqual([
      expect.objectContaining({
        action: 'exception.reprocess.start',
        actor: 'alice',
        detail: { filter: { reason: 'unknown_subject' }, ids: null, acceptBeyondHorizon: false },
      }),
      expect.objectContaining({
        action: 'exception.reprocess',
        actor: 'alice',
        detail: expect.objectContaining({ selected: 2, stillOpen: 1 }),
      }),
    ]);
    // Reprocessing again finds one open exception, still unfixable, and changes nothing.
    expect(await app.metering.exceptions.reprocess({}, 'alice')).toMatchObject({
      selected: 1,
      stillOpen: 1,
      usage: { created: 0 },
    });
  });

  it('ignore needs open exceptions and a reason, closes all or none, and is audited', async () => {
    await ingestAll(app, [
      supportSession('nobody', '2026-10-05T00:00:00Z', { duration_hours: 2 }),
      supportSession('acme', '2026-10-05T00:00:00Z', {}),
    ]);
    await app.metering.stage.runUntilCaughtUp();
    const [first, second] = (await app.metering.exceptions.list({ filter: {}, limit: 10 })).items;
    await expect(app.metering.exceptions.ignore([first?.id], '  ', 'bob')).rejects.toBeInstanceOf(ValidationError);
    await expect(app.metering.exceptions.ignore([first?.id, '999999'], 'test data', 'bob')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(app.metering.exceptions.ignore([first?.id, first?.id], 'test data', 'bob')).rejects.toBeInstanceOf(
      ValidationError,
    );
    const ignored = await app.metering.exceptions.ignore([first?.id], 'test traffic from a staging tenant', 'bob');
    expect(ignored).toEqual([
      expect.objectContaining({
        id: first?.id,
        status: 'ignored',
        resolution: 'test traffic from a staging tenant',
        resolvedBy: 'bob',
      }),
    ]);
    const again = app.metering.exceptions.ignore([second?.id, first?.id], 'again', 'bob');
    await expect(again).rejects.toBeInstanceOf(ConflictError);
    await expect(again).rejects.toMatchObject({
      errors: [{ path: '/ids/1', message: `exception ${first?.id} is ignored` }],
    });
    expect((await app.metering.exceptions.get(second?.id as string)).status).toBe('open');
    expect(await audit()).toEqual([
      {
        action: 'exception.ignore',
        target: `exception:${first?.id}`,
        actor: 'bob',
        detail: expect.objectContaining({ reason: 'test traffic from a staging tenant', meter: 'support_hours' }),
      },
    ]);
    // A person's decision stands: neither reprocess nor replay reopens or bills an ignored exception.
    await applyChanged((document) => acme(document).aliases.push('nobody'));
    await app.metering.replay(OCTOBER);
    expect((await app.metering.exceptions.get(first?.id as string)).status).toBe('ignored');
    expect(await usageRows(db)).toEqual([]);
  });

  it('replay re-derives a range after a catalog fix, deterministically, and never touches invoiced records', async () => {
    await ingestAll(app, [
      apiRequest('acct_1001', '2026-10-02T00:00:00Z', { region: 'us' }),
      apiRequest('acct_1002', '2026-10-03T00:00:00Z', { region: 'eu' }),
      apiRequest('globex', '2026-10-04T00:00:00Z', { region: 'eu' }),
      apiRequest('acct_1001', '2026-09-30T23:59:59Z', { region: 'us' }),
    ]);
    await app.metering.stage.runUntilCaughtUp();
    await db.query(`update usage_records set invoice_id = 'inv-1' where customer_key = 'globex'`);
    // acct_1002 was Acme's by mistake: it belongs to Globex.
    const moveAlias = (document: Doc) => {
      acme(document).aliases = ['acct_1001'];
      document.customers.find((c: { key: string }) => c.key === 'globex').aliases.push('acct_1002');
    };
    await applyChanged(moveAlias);
    const progress: number[] = [];
    const first = await app.metering.replay(OCTOBER, (p) => progress.push(p.done));
    expect(first).toMatchObject({
      events: 3,
      catalogVersion: 2,
      usage: { created: 0, updated: 1, removed: 0, unchanged: 2 },
      invoicedChanges: 0,
    });
    expect(progress.at(-1)).toBe(3);
    const rows = await usageRows(db);
    expect(rows.map((r) => [r.customer_key, r.currency, r.catalog_version])).toEqual([
      ['acme', 'USD', 1],
      ['globex', 'EUR', 2],
      ['globex', 'EUR', 1],
      ['acme', 'USD', 1],
    ]);
    const second = await app.metering.replay(OCTOBER);
    expect(second).toMatchObject({
      usage: { created: 0, updated: 0, removed: 0, unchanged: 3 },
      exceptions: { opened: 0, updated: 0, resolved: 0 },
    });
    expect(await usageRows(db)).toEqual(rows);

    // Globex leaves the catalog's subscriptions: its invoiced record stays and the difference is reported.
    await applyChanged((document) => {
      moveAlias(document);
      document.subscriptions = document.subscriptions.filter((s: { customer: string }) => s.customer !== 'globex');
    });
    const third = await app.metering.replay({ ...OCTOBER, customer: 'globex' });
    expect(third).toMatchObject({ usage: { removed: 1 }, exceptions: { opened: 1 }, invoicedChanges: 1 });
    expect((await exceptionRows(db)).map((e) => e.reason)).toEqual(['no_active_subscription']);
    expect(third.invoiced).toEqual([
      expect.objectContaining({ invoiceId: 'inv-1', change: 'remove', invoicedValue: null, derivedValue: null }),
    ]);
    expect((await usageRows(db)).map((r) => r.customer_key)).toEqual(['acme', 'globex', 'acme']);
    expect((await audit()).map((a) => a.action)).toEqual(Array(3).fill(['usage.replay.start', 'usage.replay']).flat());
  });

  it('replay scoped to a meter or customer changes nothing else; an invalid request changes nothing', async () => {
    await ingestAll(app, [
      apiRequest('acct_1001', '2026-10-02T00:00:00Z'),
      supportSession('acme', '2026-10-02T00:00:00Z', { duration_hours: 1 }),
    ]);
    await app.metering.stage.runUntilCaughtUp();
    await applyChanged((document) => {
      document.meters = document.meters.filter((m: { key: string }) => m.key !== 'support_hours');
      document.plans[0].charges = document.plans[0].charges.filter(
        (c: { meter?: string }) => c.meter !== 'support_hours',
      );
    });
    expect(await app.metering.replay({ ...OCTOBER, meter: 'api_calls' })).toMatchObject({
      usage: { removed: 0, unchanged: 1 },
    });
    expect(await app.metering.replay({ ...OCTOBER, customer: 'globex' })).toMatchObject({
      usage: { removed: 0, unchanged: 0 },
    });
    expect(await app.metering.replay({ ...OCTOBER, meter: 'support_hours' })).toMatchObject({ usage: { removed: 1 } });
    const bad = app.metering.replay({ from: '2026-10-02', to: '2026-10-01T00:00:00Z', meter: '../x', actor: 'test' });
    await expect(bad).rejects.toMatchObject({
      errors: [
        { path: '/from', message: expect.stringContaining('RFC 3339') },
        { path: '/meter', message: expect.any(String) },
      ],
    });
    expect((await audit()).length).toBe(6);
  });

  it('replay covers only what the stage has read; the stage meters the rest', async () => {
    await ingestAll(app, [apiRequest('acct_1001', '2026-10-02T00:00:00Z')]);
    expect(await app.metering.replay(OCTOBER)).toMatchObject({ events: 0 });
    await app.metering.stage.runUntilCaughtUp();
    await ingestAll(app, [apiRequest('acct_1001', '2026-10-03T00:00:00Z')]);
    expect(await app.metering.replay(OCTOBER)).toMatchObject({ events: 1, usage: { unchanged: 1 } });
  });
});
