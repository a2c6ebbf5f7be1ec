import { beforeEach, expect, it } from 'vitest';
import { runCommand, type CommandRun } from '../../../test/harness/run-command.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { createApp, type App } from '../../main.js';
import { octoberFixture } from '../../../test/fixtures/october-billing.js';
import { referenceCatalogDocument } from '../../../test/fixtures/reference-catalog.js';
import type { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { buildCli } from '../cli.js';
import { creditsCommand } from './credits.js';

const ACME = 'acme-growth-2026';
const STATUSES = 'scheduled, active, exhausted, expired';

describeEachStore('meterbridge credits', (stores) => {
  let db: Database;
  let app: App;
  let clock: ManualClock;
  let october: string;
  let opened: number;
  const run = (...args: string[]): Promise<CommandRun> =>
    runCommand(
      creditsCommand({
        openApp: (config) => {
          opened += 1;
          return createApp(config, { db, clock });
        },
      }),
      args,
    );

  // Given: acme's October (platform fee 500.00, api 0.00, storage 12.05, premium support 487.50) drafted
  // under a storage commit, a support grant smaller than the support line, a grant that expired mid-October
  // (it pays the support left) and one that starts in 2027; globex's grant is not drawn (its quarter is open).
  beforeEach(async () => {
    db = await stores.fresh();
    ({ app, clock } = await octoberFixture(db));
    const document = referenceCatalogDocument();
    document.subscriptions[0].credits = [
      {
        key: 'a-commit',
        name: 'FY26 storage commit',
        kind: 'commit',
        amount: '600',
        effectiveFrom: '2026-10-01T00:00:00Z',
        charges: ['storage'],
      },
      { key: 'b-support', kind: 'grant', amount: '400', charges: ['premium_support'], priority: 1 },
      { key: 'c-future', kind: 'grant', amount: '100', effectiveFrom: '2027-01-01T00:00:00Z', priority: 3 },
      { key: 'd-expired', kind: 'grant', amount: '100', expiresAt: '2026-10-15T00:00:00Z', priority: 2 },
    ];
    document.subscriptions[1].credits = [{ key: 'g-grant', kind: 'grant', amount: '10' }];
    await app.catalog.apply(JSON.stringify(document), 'catalog.json', 'test');
    await app.billing.run('2026-10', 'test');
    const drafts = await app.billing.list({ customer: 'acme' }, 10);
    expect(drafts).toHaveLength(1);
    october = drafts[0]?.id as string;
    opened = 0;
  });

  it('lists every balance as a table, in id order', async () => {
    const all = await run('list');
    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(all.stdout.split('\n')).toEqual([
      expect.stringMatching(/^ID +KIND +STATUS +AMOUNT +DRAWN +PENDING +REMAINING +EXPIRES$/),
      expect.stringMatching(/^acme-growth-2026\/a-commit +commit +active +600\.00 USD +0\.00 +12\.05 +587\.95 +never$/),
      expect.stringMatching(
        /^acme-growth-2026\/b-support +grant +exhausted +400\.00 USD +0\.00 +400\.00 +0\.00 +never$/,
      ),
      expect.stringMatching(
        /^acme-growth-2026\/c-future +grant +scheduled +100\.00 USD +0\.00 +0\.00 +100\.00 +never$/,
      ),
      expect.stringMatching(
        /^acme-growth-2026\/d-expired +grant +expired +100\.00 USD +0\.00 +87\.50 +12\.50 +2026-10-15T00:00:00\.000Z$/,
      ),
      expect.stringMatching(/^globex-growth-2026\/g-grant +grant +active +10\.00 EUR +0\.00 +0\.00 +10\.00 +never$/),
    ]);
    expect(opened).toBe(1);
  });

  it('filters, pages and prints JSON', async () => {
    const ids = async (...args: string[]) =>
      JSON.parse((await run('list', '--json', ...args)).stdout).items.map((item: { id: string }) => item.id);
    expect(await ids('--customer', 'globex')).toEqual(['globex-growth-2026/g-grant']);
    expect(await ids('--subscription', ACME, '--status', 'active')).toEqual([`${ACME}/a-commit`]);
    expect(await ids('--status', 'expired')).toEqual([`${ACME}/d-expired`]);
    expect((await run('list', '--customer', 'initech')).stdout).toBe('no credits match');

    const first = await run('list', '--limit', '2');
    expect(first.stdout.split('\n').slice(1)).toEqual([
      expect.stringMatching(/^acme-growth-2026\/a-commit /),
      expect.stringMatching(/^acme-growth-2026\/b-support /),
      `more: add --after ${ACME}/b-support for the next page`,
    ]);
    const second = JSON.parse((await run('list', '--after', `${ACME}/b-support`, '--limit', '2', '--json')).stdout);
    expect(second).toEqual({
      items: [
        expect.objectContaining({ id: `${ACME}/c-future` }),
        expect.objectContaining({ id: `${ACME}/d-expired` }),
      ],
      next: `${ACME}/d-expired`,
    });
    expect(JSON.parse((await run('list', '--after', `${ACME}/d-expired`, '--json')).stdout)).toEqual({
      items: [expect.objectContaining({ id: 'globex-growth-2026/g-grant' })],
      next: null,
    });

    const page = JSON.parse((await run('list', '--json', '--subscription', ACME, '--status', 'expired')).stdout);
    expect(page).toEqual({
      items: [
        {
          id: `${ACME}/d-expired`,
          subscription: ACME,
          customer: 'acme',
          key: 'd-expired',
          name: null,
          kind: 'grant',
          currency: 'USD',
          amount: '100.00',
          effectiveFrom: '2026-01-01T00:00:00.000Z',
          expiresAt: '2026-10-15T00:00:00.000Z',
          charges: null,
          priority: 2,
          drawn: '0.00',
          pending: '87.50',
          remaining: '12.50',
          status: 'expired',
          invoicedOn: null,
        },
      ],
      next: null,
    });

    // Finalizing the draft turns what it drew from pending into drawn.
    await app.billing.finalize(october, 'test');
    const balances = JSON.parse((await run('list', '--json', '--customer', 'acme')).stdout).items;
    expect(
      balances.map((item: Record<string, string>) => [
        item.key,
        item.drawn,
        item.pending,
        item.remaining,
        item.invoicedOn,
      ]),
    ).toEqual([
      ['a-commit', '12.05', '0.00', '587.95', october],
      ['b-support', '400.00', '0.00', '0.00', null],
      ['c-future', '0.00', '0.00', '100.00', null],
      ['d-expired', '87.50', '0.00', '12.50', null],
    ]);
  });

  it('refuses bad list options with every error named by its option, before opening the store', async () => {
    expect(
      await run('list', '--status', 'used', '--subscription', '', '--customer', 'c'.repeat(501), '--limit', '0'),
    ).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'error: invalid credit filter',
        '  --subscription: must be 1-500 characters',
        '  --customer: must be 1-500 characters',
        `  --status: must be one of ${STATUSES}`,
        '  --limit: must be an integer from 1 to 1000',
      ].join('\n'),
    });
    for (const limit of ['1001', 'abc', '-1']) {
      expect(await run('list', '--limit', limit)).toEqual({
        code: 1,
        stdout: '',
        stderr: 'error: invalid credit filter\n  --limit: must be an integer from 1 to 1000',
      });
    }
    expect(await run('list', '--status', 'ACTIVE', '--json')).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: invalid credit filter\n  --status: must be one of ${STATUSES}`,
    });
    expect(await run('list', '--after', '')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: invalid credit filter\n  --after: must be 1-500 characters',
    });
    expect(opened).toBe(0);
  });

  it('shows a commit with its balance and entries as text, and as JSON', async () => {
    const shown = await run('show', ACME, 'a-commit');
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(shown.stdout.split('\n')).toEqual([
      `commit ${ACME}/a-commit (FY26 storage commit)  active`,
      'amount 600.00 USD, effective 2026-10-01T00:00:00.000Z, expires never, pays storage',
      'drawn 0.00, pending 12.05, remaining 587.95 USD',
      '',
      'PERIOD START              KIND        AMOUNT  STATUS  NUMBER  INVOICE',
      `2026-10-01T00:00:00.000Z  commitment  600.00  draft   -       ${october}`,
      `2026-10-01T00:00:00.000Z  credit      12.05   draft   -       ${october}`,
    ]);

    const json = JSON.parse((await run('show', ACME, 'a-commit', '--json')).stdout);
    expect(json).toMatchObject({
      id: `${ACME}/a-commit`,
      kind: 'commit',
      amount: '600.00',
      drawn: '0.00',
      pending: '12.05',
      remaining: '587.95',
      status: 'active',
      invoicedOn: october,
      charges: ['storage'],
    });
    expect(json.entries).toEqual([
      {
        invoice: october,
        number: null,
        document: 'invoice',
        status: 'draft',
        periodStart: '2026-10-01T00:00:00.000Z',
        periodEnd: '2026-11-01T00:00:00.000Z',
        kind: 'commitment',
        amount: '600.00',
      },
      {
        invoice: october,
        number: null,
        document: 'invoice',
        status: 'draft',
        periodStart: '2026-10-01T00:00:00.000Z',
        periodEnd: '2026-11-01T00:00:00.000Z',
        kind: 'credit',
        amount: '12.05',
      },
    ]);

    await app.billing.finalize(october, 'test');
    const finalized = (await run('show', ACME, 'a-commit')).stdout.split('\n');
    expect(finalized[2]).toBe('drawn 12.05, pending 0.00, remaining 587.95 USD');
    expect(finalized.slice(4)).toEqual([
      'PERIOD START              KIND        AMOUNT  STATUS     NUMBER     INVOICE',
      `2026-10-01T00:00:00.000Z  commitment  600.00  finalized  US-000001  ${october}`,
      `2026-10-01T00:00:00.000Z  credit      12.05   finalized  US-000001  ${october}`,
    ]);
  });

  it('shows a grant that expired with its forfeited remainder, and one no invoice has used', async () => {
    expect((await run('show', ACME, 'd-expired')).stdout.split('\n').slice(0, 3)).toEqual([
      `grant ${ACME}/d-expired  expired`,
      'amount 100.00 USD, effective 2026-01-01T00:00:00.000Z, expires 2026-10-15T00:00:00.000Z, pays every usage charge',
      'drawn 0.00, pending 87.50, remaining 12.50 USD',
    ]);
    expect(await run('show', ACME, 'c-future')).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        `grant ${ACME}/c-future  scheduled`,
        'amount 100.00 USD, effective 2027-01-01T00:00:00.000Z, expires never, pays every usage charge',
        'drawn 0.00, pending 0.00, remaining 100.00 USD',
        '',
        'no invoice has used it yet',
      ].join('\n'),
    });
  });

  it('refuses an unknown subscription or credit, exit 1', async () => {
    expect(await run('show', ACME, 'nope')).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: subscription ${ACME} has no credit nope in the current catalog`,
    });
    expect(await run('show', 'nope', 'a-commit', '--json')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: subscription nope has no credit a-commit in the current catalog',
    });
    expect(await run('show', 'globex-growth-2026', 'a-commit')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: subscription globex-growth-2026 has no credit a-commit in the current catalog',
    });
  });
});

it('is a command of the program', () => {
  const credits = buildCli().commands.find((command) => command.name() === 'credits');
  expect(credits?.commands.map((command) => command.name())).toEqual(['list', 'show']);
});
