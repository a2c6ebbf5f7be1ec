import { beforeEach, expect, it, vi } from 'vitest';
import { runCommand, type CommandRun } from '../../../test/harness/run-command.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { testConfig } from '../../../test/harness/test-app.js';
import { createApp, type App } from '../../main.js';
import { referenceCatalogYaml } from '../../../test/fixtures/reference-catalog.js';
import { apiRequest, exceptionRows, ingestAll, meteringFixture, usageRows } from '../../../test/fixtures/metering.js';
import { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { buildCli } from '../cli.js';
import { replayCommand } from './replay.js';

const RANGE = ['--from', '2026-10-01T00:00:00Z', '--to', '2026-11-01T00:00:00Z'];
// acct_1002 moves from acme to globex; acct_9999, unknown so far, becomes acme's.
const CHANGED = referenceCatalogYaml()
  .replace('aliases: [acct_1001, acct_1002]', 'aliases: [acct_1001, acct_9999]')
  .replace('aliases: [acct_2001]', 'aliases: [acct_2001, acct_1002]');

describeEachStore('meterbridge replay', (stores) => {
  let db: Database;
  let app: App;
  let clock: ManualClock;
  const run = (...args: string[]): Promise<CommandRun> =>
    runCommand(replayCommand({ openApp: (config) => createApp(config, { db, clock }) }), [...args, '--no-progress']);
  const auditCount = async () => (await db.query('select 1 from audit_log')).rowCount;

  // Given: October events of acme, one of them invoiced, one moving to globex, and an unknown subject.
  const events = [
    apiRequest('acct_1001', '2026-10-10T10:00:00Z'),
    apiRequest('acct_1002', '2026-10-11T10:00:00Z'),
    apiRequest('acct_9999', '2026-10-12T10:00:00Z'),
    apiRequest('acct_1002', '2026-10-13T10:00:00Z'),
  ];
  beforeEach(async () => {
    db = await stores.fresh();
    ({ app, clock } = await meteringFixture(db));
    await ingestAll(app, events);
    await app.metering.stage.runUntilCaughtUp();
    await db.query(`update usage_records set invoice_id = 'inv-1' where event_seq = 2`);
  });

  it('re-derives after a catalog change, lists the invoiced record it leaves alone, and a second run changes nothing', async () => {
    await app.catalog.apply(CHANGED, 'catalog.yaml', 'test');

    const first = await run(...RANGE, '--by', 'ops');
    expect(first).toEqual({
      code: 0,
      stdout: [
        'replayed 4 event(s) of [2026-10-01T00:00:00.000Z, 2026-11-01T00:00:00.000Z) under catalog version 2',
        'usage: 1 created, 1 updated, 0 removed, 1 unchanged',
        'exceptions: 0 opened, 0 updated, 1 resolved',
        'invoiced: 1 invoiced record(s) would change and were left as invoiced:',
        '  event 2, meter api_calls, invoice inv-1: update, value (none) -> (none)',
      ].join('\n'),
      stderr: '',
    });
    expect((await usageRows(db)).map((row) => row.customer_key)).toEqual(['acme', 'acme', 'acme', 'globex']);
    expect((await exceptionRows(db)).map((row) => [row.status, row.resolution])).toEqual([['resolved', 'replayed']]);
    const audit = await db.query<{ actor: string; action: string }>('select actor, action from audit_log');
    expect(audit.rows).toEqual([
      { actor: 'ops', action: 'usage.replay.start' },
      { actor: 'ops', action: 'usage.replay' },
    ]);

    // Deterministic: nothing to create, update, remove, open or resolve the second time.
    const second = await run(...RANGE, '--by', 'ops');
    expect(second.code).toBe(0);
    expect(second.stdout.split('\n').slice(1, 3)).toEqual([
      'usage: 0 created, 0 updated, 0 removed, 3 unchanged',
      'exceptions: 0 opened, 0 updated, 0 resolved',
    ]);
    expect((await usageRows(db)).map((row) => row.customer_key)).toEqual(['acme', 'acme', 'acme', 'globex']);
  });

  it('replays one customer or meter only, and prints JSON with --json', async () => {
    await app.catalog.apply(CHANGED, 'catalog.yaml', 'test');
    const scoped = await run(...RANGE, '--customer', 'globex', '--meter', 'api_calls');
    expect(scoped.stdout.split('\n').slice(0, 3)).toEqual([
      'replayed 4 event(s) of [2026-10-01T00:00:00.000Z, 2026-11-01T00:00:00.000Z) for customer globex, meter api_calls under catalog version 2',
      'usage: 0 created, 1 updated, 0 removed, 0 unchanged',
      'exceptions: 0 opened, 0 updated, 0 resolved',
    ]);
    const json = JSON.parse((await run(...RANGE, '--json')).stdout);
    expect(json).toMatchObject({
      catalogVersion: 2,
      customer: null,
      usage: { created: 1, updated: 0, unchanged: 2 },
      invoicedChanges: 1,
    });
  });

  it('draws a progress bar on stderr when it is a terminal', async () => {
    const written: string[] = [];
    const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    const write = vi
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk: string | Uint8Array) => written.push(String(chunk)) > 0);
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    try {
      const result = await runCommand(replayCommand({ openApp: (config) => createApp(config, { db, clock }) }), RANGE);
      expect(result.code).toBe(0);
    } finally {
      write.mockRestore();
      if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
    expect(written.join('')).toContain('100% | 4/4 events');
  });

  it('refuses a missing or bad range and bad keys with every error named by its option, exit 1, changing nothing', async () => {
    const missing = await run();
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr.split('\n')).toEqual([
      'error: invalid replay request',
      '  --from: is required and must be an RFC 3339 date-time with a time zone, such as "2026-10-01T00:00:00Z"',
      '  --to: is required and must be an RFC 3339 date-time with a time zone, such as "2026-10-01T00:00:00Z"',
    ]);
    expect(await run('--from', '2026-11-01T00:00:00Z', '--to', '2026-10-01', '--meter', 'a b')).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'error: invalid replay request',
        '  --to: must be an RFC 3339 date-time with a time zone, such as "2026-10-01T00:00:00Z"',
        '  --meter: must be a catalog key (a letter or digit, then letters, digits, . _ : @ -; at most 200)',
      ].join('\n'),
    });
    expect((await run('--from', '2026-11-01T00:00:00Z', '--to', '2026-10-01T00:00:00Z')).stderr).toBe(
      'error: invalid replay request\n  --to: must be later than from (the range is [from, to))',
    );
    expect(await auditCount()).toBe(0);
  });

  it('refuses to replay before any catalog is applied', async () => {
    const bare = await stores.fresh();
    const clockless = new ManualClock('2026-11-01T00:00:00Z');
    await (await createApp(testConfig(), { db: bare, clock: clockless })).close();
    const result = await runCommand(
      replayCommand({ openApp: (config) => createApp(config, { db: bare, clock: clockless }) }),
      RANGE,
    );
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: no catalog has been applied yet: there is nothing to derive usage with',
    });
  });
});

it('is a command of the program', () => {
  expect(buildCli().commands.map((command) => command.name())).toContain('replay');
});
