import { beforeEach, expect, it } from 'vitest';
import { runCommand, type CommandRun } from '../../../test/harness/run-command.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { createApp, type App } from '../../main.js';
import { referenceCatalogDocument } from '../../../test/fixtures/reference-catalog.js';
import { apiRequest, ingestAll, meteringFixture, supportSession } from '../../../test/fixtures/metering.js';
import type { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { buildCli } from '../cli.js';
import { invoicesCommand } from './invoices.js';

const HOUR = 3_600_000;

describeEachStore('meterbridge invoices', (stores) => {
  let db: Database;
  let app: App;
  let clock: ManualClock;
  let october: string;
  let september: string;
  const run = (...args: string[]): Promise<CommandRun> =>
    runCommand(invoicesCommand({ openApp: (config) => createApp(config, { db, clock }) }), args);
  const statusOf = async (id: string) => (await app.billing.get(id)).status;

  // Given: acme's September and October drafted, with three API calls and two support sessions in October.
  beforeEach(async () => {
    db = await stores.fresh();
    ({ app, clock } = await meteringFixture(db));
    await ingestAll(app, [
      apiRequest('acme', '2026-10-03T10:00:00Z'),
      apiRequest('acct_1001', '2026-10-04T10:00:00Z'),
      apiRequest('acme', '2026-10-05T10:00:00Z'),
      supportSession('acme', '2026-10-07T00:00:00Z', { duration_hours: '1.25' }),
      supportSession('acct_1002', '2026-10-30T23:59:59Z', { duration_hours: 2 }),
    ]);
    await app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-02T00:00:00Z');
    await app.billing.run('2026-09', 'test');
    await app.billing.run('2026-10', 'test');
    const idFrom = async (filter: Parameters<App['billing']['list']>[0]) =>
      (await app.billing.list(filter, 1))[0]?.id as string;
    october = await idFrom({ from: new Date('2026-10-01T00:00:00Z') });
    september = await idFrom({ to: new Date('2026-10-01T00:00:00Z') });
  });

  it('lists invoices as a table, filtered, paged and as JSON', async () => {
    const all = await run('list');
    expect(all).toMatchObject({ code: 0, stderr: '' });
    const lines = all.stdout.split('\n');
    expect(lines[0]).toMatch(/^ID +NUMBER +STATUS +CUSTOMER +ENTITY +PERIOD START +TOTAL$/);
    const row = (id: string, start: string) =>
      expect.stringMatching(new RegExp(`^${id} +- +draft +acme +US +${start} +\\d+\\.\\d\\d USD$`));
    const inIdOrder: [string, string][] = [
      [october, '2026-10-01T00:00:00.000Z'],
      [september, '2026-09-01T00:00:00.000Z'],
    ];
    inIdOrder.sort(([a], [b]) => (a < b ? -1 : 1));
    expect(lines.slice(1)).toEqual(inIdOrder.map(([id, start]) => row(id, start)));
    expect(
      (
        await run(
          'list',
          '--from',
          '2026-10-01T00:00:00Z',
          '--customer',
          'acme',
          '--legal-entity',
          'US',
          '--status',
          'draft',
        )
      ).stdout
        .split('\n')
        .slice(1),
    ).toEqual([expect.stringContaining(october)]);
    expect((await run('list', '--to', '2026-10-01T00:00:00Z')).stdout.split('\n').slice(1)).toEqual([
      expect.stringContaining(september),
    ]);
    expect((await run('list', '--status', 'finalized')).stdout).toBe('no invoices match');

    const [first, second] = [october, september].sort() as [string, string];
    expect((await run('list', '--limit', '1')).stdout.split('\n').slice(1)).toEqual([
      expect.stringContaining(first),
      `more: add --after ${first} for the next page`,
    ]);
    expect(JSON.parse((await run('list', '--after', first, '--json')).stdout)).toEqual({
      items: [expect.objectContaining({ id: second, status: 'draft' })],
      next: null,
    });
  });

  it('refuses bad list options with every error named by its option, exit 1', async () => {
    const result = await run('list', '--status', 'paid', '--legal-entity', '', '--from', 'today', '--limit', '5000');
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'error: invalid invoice filter',
        '  --legal-entity: must be 1-500 characters',
        '  --status: must be one of draft, finalized, void',
        '  --from: must be an RFC 3339 date-time with a time zone, such as "2026-10-01T00:00:00Z"',
        '  --limit: must be an integer from 1 to 1000',
      ].join('\n'),
    });
    expect(await run('list', '--from', '2026-10-01T00:00:00Z', '--to', '2026-09-01T00:00:00Z')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: invalid invoice filter\n  --to: must be later than from',
    });
  });

  it('shows an invoice with its lines as a table and its totals, or as JSON', async () => {
    const shown = await run('show', october);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    const invoice = await app.billing.get(october);
    expect(shown.stdout.split('\n')).toEqual([
      `invoice ${october}  (no number yet)  draft`,
      'customer acme, subscription acme-growth-2026, legal entity US, catalog version 1',
      'period [2026-10-01T00:00:00.000Z, 2026-11-01T00:00:00.000Z)',
      'draft: finalizes on its own after 2026-11-05T00:00:00.000Z',
      '',
      expect.stringMatching(/^NO +KIND +DESCRIPTION +QUANTITY +AMOUNT$/),
      ...(invoice.lines ?? []).map((line) =>
        expect.stringMatching(
          new RegExp(
            `^ *${line.lineNo}  ${line.kind} +.+ +${(line.quantity ?? '').replace('.', '\\.')} +${line.amount.replace('.', '\\.')}$`,
          ),
        ),
      ),
      '',
      expect.stringMatching(new RegExp(`^subtotal +${invoice.subtotal.replace('.', '\\.')} USD$`)),
      expect.stringMatching(new RegExp(`^tax +${invoice.taxTotal.replace('.', '\\.')} USD$`)),
      expect.stringMatching(new RegExp(`^total +${invoice.total.replace('.', '\\.')} USD$`)),
    ]);
    expect(shown.stdout).toContain('premium_support');
    expect(JSON.parse((await run('show', october, '--json')).stdout)).toEqual(invoice);
    expect(await run('show', 'inv_nope')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: there is no invoice inv_nope',
    });
  });

  it('says which part of its period an invoice covers when the subscription ended inside it', async () => {
    const document = referenceCatalogDocument();
    document.subscriptions[0].end = '2026-10-16T00:00:00Z';
    await app.catalog.apply(JSON.stringify(document), 'catalog.json', 'test');
    await app.billing.run('2026-10', 'test');
    const shown = await run('show', october);
    expect(shown.stdout.split('\n')[2]).toBe(
      'period [2026-10-01T00:00:00.000Z, 2026-11-01T00:00:00.000Z), covering [2026-10-01T00:00:00.000Z, 2026-10-16T00:00:00.000Z)',
    );
  });

  it('finalizes invoices by id, numbering them in order, and reports each one it could not finalize', async () => {
    const done = await run('finalize', september, october, '--by', 'carol');
    expect(done).toMatchObject({ code: 0, stderr: '' });
    expect(done.stdout.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^finalized ${september} as US-000001 \\(\\d+\\.\\d\\d USD\\)$`)),
      expect.stringMatching(new RegExp(`^finalized ${october} as US-000002 \\(\\d+\\.\\d\\d USD\\)$`)),
    ]);
    const actors = await db.query<{ actor: string }>(`select actor from audit_log where action = 'invoice.finalize'`);
    expect(actors.rows).toEqual([{ actor: 'carol' }, { actor: 'carol' }]);

    const again = await run('finalize', october, 'inv_nope');
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'error: 2 of 2 invoice(s) were not finalized',
        `  ID "${october}": invoice ${october} is finalized; only a draft can be finalized`,
        '  ID "inv_nope": there is no invoice inv_nope',
      ].join('\n'),
    });
  });

  it('finalizes the drafts that are due with --due, and refuses ids with --due or neither', async () => {
    expect(await run('finalize', october, '--due')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: give either invoice ids or --due, not both\n  --due: cannot be combined with ids',
    });
    expect(await run('finalize')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: nothing to finalize\n  ID...: give invoice ids, or --due',
    });
    expect(await run('finalize', '--due')).toEqual({ code: 0, stdout: 'no draft is due', stderr: '' });
    clock.advance(72 * HOUR);
    const due = await run('finalize', '--due');
    expect(due).toMatchObject({ code: 0, stderr: '' });
    expect(due.stdout).toMatch(/^finalized 2 due invoice\(s\): inv_\S+, inv_\S+$/);
    expect([await statusOf(october), await statusOf(september)]).toEqual(['finalized', 'finalized']);
  });

  it('lists the events behind a usage line, paged, adding up to its quantity', async () => {
    const invoice = await app.billing.get(october);
    const support = invoice.lines?.find((line) => line.chargeKey === 'premium_support');
    const api = invoice.lines?.find((line) => line.chargeKey === 'api');
    expect([api?.quantity, support?.quantity]).toEqual(['3', '3.25']);

    const table = await run('events', october, String(support?.lineNo));
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout.split('\n')).toEqual([
      expect.stringMatching(/^SEQ +TIME +SUBJECT +VALUE +TYPE +SOURCE +ID$/),
      expect.stringMatching(
        /^\d+ +2026-10-07T00:00:00.000Z +acme +1.25 +com.example.support.session +test\/product +\S+$/,
      ),
      expect.stringMatching(
        /^\d+ +2026-10-30T23:59:59.000Z +acct_1002 +2 +com.example.support.session +test\/product +\S+$/,
      ),
    ]);

    const first = await run('events', october, String(api?.lineNo), '--limit', '2');
    const [, one, two, more] = first.stdout.split('\n');
    const seqOf = (row: string | undefined) => row?.split(' ')[0] as string;
    expect(more).toBe(`more: add --after ${seqOf(two)} for the next page`);
    const rest = JSON.parse(
      (await run('events', october, String(api?.lineNo), '--after', seqOf(two), '--json')).stdout,
    );
    expect(rest).toEqual({
      items: [expect.objectContaining({ type: 'com.example.api.request', time: '2026-10-05T10:00:00.000Z' })],
      next: null,
    });
    expect(BigInt(rest.items[0].seq)).toBeGreaterThan(BigInt(seqOf(one)));
    expect((await run('events', october, '1')).stdout).toBe('line 1 has no events');
  });

  it('refuses a bad line number and paging together, and an unknown invoice or line', async () => {
    expect(await run('events', october, '0', '--after', 'x', '--limit', '0')).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'error: invalid line event query',
        '  LINE: must be a line number (a positive integer)',
        '  --after: must be an event seq (digits: the `next` of the previous page)',
        '  --limit: must be an integer from 1 to 1000',
      ].join('\n'),
    });
    expect(await run('events', october, '99')).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: invoice ${october} has no line 99`,
    });
    expect(await run('events', 'inv_nope', '1')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: there is no invoice inv_nope',
    });
  });
});

it('is a command of the program', () => {
  const invoices = buildCli().commands.find((command) => command.name() === 'invoices');
  expect(invoices?.commands.map((command) => command.name())).toEqual(['list', 'show', 'finalize', 'events']);
});
