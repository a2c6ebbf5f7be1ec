import { userInfo } from 'node:os';
import { beforeEach, expect, it } from 'vitest';
import { runCommand, type CommandRun } from '../../../test/harness/run-command.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { createApp, type App } from '../../main.js';
import { referenceCatalogYaml } from '../../../test/fixtures/reference-catalog.js';
import {
  apiRequest,
  exceptionRows,
  ingestAll,
  meteringFixture,
  supportSession,
  usageRows,
} from '../../../test/fixtures/metering.js';
import type { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { buildCli } from '../cli.js';
import { exceptionsCommand } from './exceptions.js';

const WITH_ALIAS = referenceCatalogYaml().replace(
  'aliases: [acct_1001, acct_1002]',
  'aliases: [acct_1001, acct_1002, acct_9999]',
);

describeEachStore('meterbridge exceptions', (stores) => {
  let db: Database;
  let app: App;
  let clock: ManualClock;
  const run = (...args: string[]): Promise<CommandRun> =>
    runCommand(exceptionsCommand({ openApp: (config) => createApp(config, { db, clock }) }), args);
  const statuses = async () => (await exceptionRows(db)).map((row) => `${row.reason}:${row.status}`);
  const audit = async () =>
    (
      await db.query<{ actor: string; action: string; target: string; detail: Record<string, unknown> }>(
        'select actor, action, target, detail from audit_log order by id',
      )
    ).rows;

  // Given: the reference catalog, and events with two unknown subjects, a negative value and one good one.
  const events = [
    apiRequest('acct_9999', '2026-10-10T10:00:00Z'),
    apiRequest('acct_8888', '2026-10-11T10:00:00Z'),
    supportSession('acme', '2026-10-12T00:00:00Z', { duration_hours: -2 }),
    apiRequest('acct_1001', '2026-10-13T10:00:00Z'),
  ];
  // Exception ids start at 1 in every fresh store, in event order.
  beforeEach(async () => {
    db = await stores.fresh();
    ({ app, clock } = await meteringFixture(db));
    await ingestAll(app, events);
    await app.metering.stage.runUntilCaughtUp();
  });

  it('lists exceptions as a table, filtered, paged and as JSON', async () => {
    const all = await run('list');
    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(all.stdout.split('\n')).toEqual([
      'ID  STATUS  REASON           METER          EVENT TIME                SUBJECT    CUSTOMER  DETAIL',
      '1   open    unknown_subject  api_calls      2026-10-10T10:00:00.000Z  acct_9999  -         subject "acct_9999" is no customer\'s key or alias',
      '2   open    unknown_subject  api_calls      2026-10-11T10:00:00.000Z  acct_8888  -         subject "acct_8888" is no customer\'s key or alias',
      '3   open    negative_value   support_hours  2026-10-12T00:00:00.000Z  acme       acme      data.duration_hours is -2 and meter support_hours does not allow negative values',
    ]);

    const page = await run('list', '--reason', 'unknown_subject', '--limit', '1');
    expect(page.stdout.split('\n').slice(1)).toEqual([
      expect.stringMatching(/^1 +open +unknown_subject/),
      'more: add --after 1 for the next page',
    ]);
    expect((await run('list', '--reason', 'unknown_subject', '--after', '1')).stdout.split('\n').slice(1)).toEqual([
      expect.stringMatching(/^2 +open/),
    ]);
    expect((await run('list', '--status', 'ignored')).stdout).toBe('no exceptions match');

    const json = JSON.parse((await run('list', '--customer', 'acme', '--json')).stdout);
    expect(json).toEqual({
      items: [
        expect.objectContaining({
          id: '3',
          reason: 'negative_value',
          customer: 'acme',
          event: expect.objectContaining({ id: events[2]?.id }),
        }),
      ],
      next: null,
    });
  });

  it('refuses bad filter options with every error named by its option, exit 1', async () => {
    const result = await run(
      'list',
      '--status',
      'closed',
      '--reason',
      'late',
      '--from',
      'yesterday',
      '--after',
      'x',
      '--limit',
      '0',
    );
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr.split('\n')).toEqual([
      'error: invalid exception filter',
      '  --status: must be one of open, resolved, ignored',
      '  --reason: must be one of unknown_subject, no_active_subscription, ambiguous_subscription, missing_value, non_numeric_value, negative_value, beyond_horizon',
      '  --from: must be an RFC 3339 date-time with a time zone, such as "2026-10-01T00:00:00Z"',
      '  --after: must be an exception id (a positive integer)',
      '  --limit: must be an integer from 1 to 1000',
    ]);
  });

  it('ignores exceptions with a reason, audited as --by or the login name, and refuses to ignore them again', async () => {
    expect(await run('ignore', '2', '3', '--reason', 'load test traffic', '--by', 'alice')).toEqual({
      code: 0,
      stdout: 'ignored 2 exception(s): 2, 3',
      stderr: '',
    });
    expect(await statuses()).toEqual(['unknown_subject:open', 'unknown_subject:ignored', 'negative_value:ignored']);
    expect(await audit()).toEqual([
      {
        actor: 'alice',
        action: 'exception.ignore',
        target: 'exception:2',
        detail: expect.objectContaining({ reason: 'load test traffic' }),
      },
      {
        actor: 'alice',
        action: 'exception.ignore',
        target: 'exception:3',
        detail: expect.objectContaining({ reason: 'load test traffic' }),
      },
    ]);

    const again = await run('ignore', '1', '3', '--reason', 'again');
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: only open exceptions can be ignored\n  ID "3": exception 3 is ignored',
    });
    expect(await statuses()).toEqual(['unknown_subject:open', 'unknown_subject:ignored', 'negative_value:ignored']);

    expect(await run('ignore', '1', '--reason', 'noise')).toMatchObject({ code: 0 });
    expect((await audit()).at(-1)?.actor).toBe(`cli:${userInfo().username}`);
  });

  it('refuses to ignore without a reason, bad or repeated ids, and unknown ids, changing nothing', async () => {
    expect(await run('ignore', '1')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: an ignore needs a reason\n  --reason: must say why, in 1-1000 characters',
    });
    expect(await run('ignore', '1', '--reason', ' ')).toMatchObject({
      code: 1,
      stderr: 'error: an ignore needs a reason\n  --reason: must say why, in 1-1000 characters',
    });
    expect(await run('ignore', '1', 'x', '1', '0', '--reason', 'noise')).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'error: invalid exception ids',
        '  ID "x": must be an exception id (a positive integer)',
        '  ID "1": repeats exception 1',
        '  ID "0": must be an exception id (a positive integer)',
      ].join('\n'),
    });
    expect(await run('ignore', '1', '99', '--reason', 'noise')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: there is no exception 99',
    });
    expect(await statuses()).toEqual(['unknown_subject:open', 'unknown_subject:open', 'negative_value:open']);
    expect(await audit()).toEqual([]);
  });

  it('reprocesses by filter or by ids, printing what changed', async () => {
    const unfixed = await run('reprocess', '--reason', 'unknown_subject');
    expect(unfixed).toMatchObject({ code: 0, stderr: '' });
    expect(unfixed.stdout.split('\n')[0]).toBe(
      'selected 2 open exception(s) under catalog version 1: 0 resolved, 2 still open',
    );

    await app.catalog.apply(WITH_ALIAS, 'catalog.yaml', 'test');
    const fixed = await run('reprocess', '--reason', 'unknown_subject', '--subject', 'acct_9999', '--by', 'bob');
    expect(fixed).toEqual({
      code: 0,
      stdout: [
        'selected 1 open exception(s) under catalog version 2: 1 resolved, 0 still open',
        'usage: 1 created, 0 updated, 0 removed, 0 unchanged',
        'exceptions: 0 opened, 0 updated, 1 resolved',
      ].join('\n'),
      stderr: '',
    });
    expect((await usageRows(db)).filter((row) => row.event_id === events[0]?.id)).toEqual([
      expect.objectContaining({ meter_key: 'api_calls', customer_key: 'acme' }),
    ]);
    expect((await exceptionRows(db))[0]).toMatchObject({ status: 'resolved', resolution: 'reprocessed' });
    expect((await audit()).at(-1)).toMatchObject({
      actor: 'bob',
      action: 'exception.reprocess',
      detail: { filter: { reason: 'unknown_subject', subject: 'acct_9999' } },
    });

    const byIds = JSON.parse((await run('reprocess', '2', '3', '--json')).stdout);
    expect(byIds).toMatchObject({ selected: 2, stillOpen: 2, catalogVersion: 2 });
    // With neither: every open exception.
    expect((await run('reprocess')).stdout.split('\n')[0]).toBe(
      'selected 2 open exception(s) under catalog version 2: 0 resolved, 2 still open',
    );
  });

  it('refuses ids with filter options, a bad filter and bad ids, exit 1, changing nothing', async () => {
    expect(await run('reprocess', '1', '--meter', 'api_calls', '--reason', 'unknown_subject')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: give either exception ids or filter options, not both\n  --reason: cannot be combined with ids\n  --meter: cannot be combined with ids',
    });
    expect(await run('reprocess', '--from', '2026-10-12T00:00:00Z', '--to', '2026-10-01T00:00:00Z')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: invalid exception filter\n  --to: must be later than from',
    });
    expect(await run('reprocess', '1', 'one')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: invalid exception ids\n  ID "one": must be an exception id (a positive integer)',
    });
    expect(await statuses()).toEqual(['unknown_subject:open', 'unknown_subject:open', 'negative_value:open']);
    expect(await audit()).toEqual([]);
  });
});

it('is a command of the program', () => {
  const exceptions = buildCli().commands.find((command) => command.name() === 'exceptions');
  expect(exceptions?.commands.map((command) => command.name())).toEqual(['list', 'ignore', 'reprocess']);
});
