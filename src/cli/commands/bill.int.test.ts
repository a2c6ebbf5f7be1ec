import { userInfo } from 'node:os';
import { beforeEach, expect, it } from 'vitest';
import { runCommand, type CommandRun } from '../../../test/harness/run-command.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { createApp, type App } from '../../main.js';
import { apiRequest, ingestAll, meteringFixture, supportSession } from '../../../test/fixtures/metering.js';
import type { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { buildCli } from '../cli.js';
import { billCommand } from './bill.js';

describeEachStore('meterbridge bill', (stores) => {
  let db: Database;
  let app: App;
  let clock: ManualClock;
  const run = (...args: string[]): Promise<CommandRun> =>
    runCommand(billCommand({ openApp: (config) => createApp(config, { db, clock }) }), args);
  const audit = async () =>
    (
      await db.query<{ actor: string; action: string; target: string }>(
        `select actor, action, target from audit_log where action = 'billing.run' order by id`,
      )
    ).rows;

  // Given: the reference catalog and some October usage of acme, metered, on November 2nd.
  beforeEach(async () => {
    db = await stores.fresh();
    ({ app, clock } = await meteringFixture(db));
    await ingestAll(app, [
      apiRequest('acme', '2026-10-03T10:00:00Z'),
      supportSession('acme', '2026-10-07T00:00:00Z', { duration_hours: '1.25' }),
    ]);
    await app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-02T00:00:00Z');
  });

  it('bills a month and prints what it drafted, audited as --by or the login name', async () => {
    const first = await run('--period', '2026-10', '--by', 'alice');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const [header, ...rest] = first.stdout.split('\n');
    expect(header).toMatch(/^billed 2026-10 under catalog version 1 \(run run_[0-9a-f-]+\)$/);
    expect(rest).toEqual([
      'invoices: 1 created, 0 updated, 0 unchanged, 0 finalized (left as they were)',
      'memos (late usage): 0 created, 0 updated, 0 unchanged',
      expect.stringMatching(/^totals of created and updated invoices: USD \d+\.\d\d$/),
      'pending: none',
    ]);

    const [invoice] = await app.billing.list({}, 1);
    await app.billing.finalize(invoice?.id as string, 'test');
    const again = await run('--period', '2026-10');
    expect(again.stdout.split('\n').slice(1)).toEqual([
      'invoices: 0 created, 0 updated, 0 unchanged, 1 finalized (left as they were)',
      'memos (late usage): 0 created, 0 updated, 0 unchanged',
      'totals of created and updated invoices: none',
      'pending: none',
    ]);
    expect(await audit()).toEqual([
      { actor: 'alice', action: 'billing.run', target: 'period:2026-10' },
      { actor: `cli:${userInfo().username}`, action: 'billing.run', target: 'period:2026-10' },
    ]);
  });

  it('prints the summary as JSON, with the periods that have not ended yet', async () => {
    // On December 1st November has ended, but globex's quarter that starts on November 14th has not.
    clock.set('2026-12-01T00:00:00Z');
    const result = await run('--period', '2026-11', '--json');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({
      id: expect.stringMatching(/^run_/),
      period: '2026-11',
      catalogVersion: 1,
      invoices: { created: 1, updated: 0, unchanged: 0, finalized: 0 },
      memos: { created: 0, updated: 0, unchanged: 0 },
      pending: [{ subscription: 'globex-growth-2026', periodEnd: '2027-02-14T23:00:00.000Z' }],
      reissued: [],
      totals: { USD: expect.stringMatching(/^\d+\.\d\d$/) },
    });
    const text = await run('--period', '2026-11');
    expect(text.stdout.split('\n').slice(-2)).toEqual([
      'pending: 1 period(s) not ended yet, billed by a later run:',
      '  globex-growth-2026 until 2027-02-14T23:00:00.000Z',
    ]);
  });

  it('refuses a missing, malformed or unfinished period with the option named, exit 1, billing nothing', async () => {
    expect(await run()).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: invalid billing run\n  --period: must be a calendar month such as "2026-10"',
    });
    expect(await run('--period', 'October')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: invalid billing run\n  --period: must be a calendar month such as "2026-10"',
    });
    const open = await run('--period', '2026-11');
    expect(open).toMatchObject({ code: 1, stdout: '' });
    expect(open.stderr.split('\n')).toEqual([
      'error: invalid billing run',
      expect.stringMatching(/^ {2}--period: 2026-11 has not ended yet/),
    ]);
    expect((await db.query<{ n: number }>('select count(*)::int as n from invoices')).rows[0]?.n).toBe(0);
    expect(await audit()).toEqual([]);
  });

  it('refuses to bill before any catalog is applied', async () => {
    db = await stores.fresh();
    expect(await run('--period', '2026-10')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: no catalog has been applied yet: there is nothing to bill',
    });
  });
});

it('is a command of the program', () => {
  expect(buildCli().commands.map((command) => command.name())).toEqual(expect.arrayContaining(['bill', 'invoices']));
});
