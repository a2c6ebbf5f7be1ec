import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCommand, type CommandRun } from '../../../test/harness/run-command.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { testConfig } from '../../../test/harness/test-app.js';
import { WebhookReceiver } from '../../../test/harness/webhook-receiver.js';
import { createApp } from '../../main.js';
import type { JournalEntry } from '../../modules/connectors/index.js';
import { enqueue } from '../../modules/outbox/index.js';
import { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { postingsCommand } from './postings.js';

const entry: JournalEntry = {
  type: 'journal',
  externalId: 'J-CLI',
  legalEntity: 'US',
  currency: 'USD',
  postingDate: '2026-10-31',
  memo: 'October usage',
  lines: [
    { account: '1200', dimensions: {}, debit: '10.00', credit: '0', memo: 'receivable', references: [] },
    { account: '4000', dimensions: {}, debit: '0', credit: '10.00', memo: 'revenue', references: [] },
  ],
};

const catalogWithHook = (url: string) => `
apiVersion: meterbridge/v1
targets:
  - { key: hook, kind: webhook, settings: { url: "${url}" }, credentials: CLI_HOOK }
legalEntities:
  - { code: US, name: "Cli Cloud", currency: USD, region: north-america }
`;

describeEachStore('meterbridge postings', (stores) => {
  let db: Database;
  let id: string;
  const clock = new ManualClock('2026-11-01T00:00:00Z');
  const receiver = new WebhookReceiver();
  const run = (...args: string[]): Promise<CommandRun> =>
    runCommand(
      postingsCommand({ openApp: (config) => createApp(config, { db, clock, secrets: async () => 'cli-secret' }) }),
      args,
    );

  beforeEach(async () => {
    db = await stores.fresh();
    const app = await createApp(testConfig(), { db, clock });
    await app.catalog.apply(catalogWithHook(await receiver.start()), 'catalog.yaml', 'test');
    await db.transaction((tx) =>
      enqueue(tx, {
        topic: 'test',
        key: 'k',
        payload: {},
        createdAt: clock.now(),
        postings: [
          {
            targetKey: 'hook',
            externalId: entry.externalId,
            kind: 'journal',
            subject: 'test:1',
            period: '2026-10',
            body: entry,
          },
        ],
      }),
    );
    id = (await db.query<{ id: string }>(`select id::text from postings`)).rows[0]!.id;
  });
  afterEach(() => receiver.stop());

  it('lists and shows postings, and refuses bad filters naming the option', async () => {
    const list = await run('list', '--status', 'pending', '--json');
    expect(JSON.parse(list.stdout)).toMatchObject({ items: [{ id, externalId: 'J-CLI' }], next: null });
    expect((await run('list')).stdout).toMatch(/J-CLI/);
    expect((await run('show', id)).stdout).toMatch(/no attempt yet/);
    const bad = await run('list', '--status', 'lost');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--status: must be one of pending/);
  });

  it('delivers due postings once with run --once, then shows the delivery', async () => {
    const once = await run('run', '--once');
    expect(once.stdout).toMatch(/delivered 1, adopted 0 \(found in the target\), failed 0 \(will retry\), dead 0/);
    expect(receiver.stored.has('J-CLI')).toBe(true);
    expect((await run('show', id)).stdout).toMatch(/#1 delivered/);
  });

  it('retries only dead postings and cancels with a reason', async () => {
    const refused = await run('retry', id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/only a dead posting can be retried/);
    expect((await run('cancel', id, '--reason', 'entered by hand', '--by', 'ops')).stdout).toMatch(
      /is cancelled: entered by hand/,
    );
  });
});
