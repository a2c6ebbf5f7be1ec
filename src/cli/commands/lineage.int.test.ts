import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand, type CommandRun } from '../../../test/harness/run-command.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import type { TestApp } from '../../../test/harness/test-app.js';
import { completion, send } from '../../../test/scenarios/one-month-story.js';
import { exportedOctober } from '../../../test/scenarios/story-targets.js';
import { createApp } from '../../main.js';
import { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { lineageCommand } from './lineage.js';

describeEachStore('meterbridge lineage', (stores) => {
  const clock = new ManualClock('2026-10-20T09:00:00Z');
  let db: Database;
  let t: TestApp;
  let close: () => Promise<void> = async () => {};
  const run = (...args: string[]): Promise<CommandRun> =>
    runCommand(lineageCommand({ openApp: (config) => createApp(config, { db, clock }) }), args);

  // Given: Acme's and Initech's October invoiced and exported to files, one document each.
  beforeAll(async () => {
    ({ db, t, close } = await exportedOctober(stores, clock));
  });
  afterAll(() => close());

  it('prints an event as a tree: usage, invoice line, the ERP document and its line, to the cent', async () => {
    const shown = await run('--event', 'story/llm-gateway/a-1');
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    const lines = shown.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^event story\/llm-gateway a-1 \(seq \d+\): llm\.completion, subject acme, at 2026-10-03T10:00:00\.000Z$/,
    );
    expect(lines.slice(1)).toEqual([
      '└─ usage of meter tokens: value 12000, customer acme, subscription acme-team, invoiced',
      expect.stringMatching(
        /^ {3}└─ invoice US-\S+ \(inv_\S+\): finalized, customer acme, period \[2026-10-01T00:00:00\.000Z, 2026-11-01T00:00:00\.000Z\), total 76\.15 USD$/,
      ),
      '      └─ line 2 (usage tokens) "Tokens: 12000 token": quantity 12000, amount 22.00 USD',
      expect.stringMatching(
        /^ {9}└─ posting \d+ to ledger-files: invoice I-\S+, delivered, target document \S+, 2026-11-04, total 76\.15 USD$/,
      ),
      '            └─ document line [1]: item tokens, "Tokens: 12000 token", quantity 12000, amount 22.00',
    ]);
  });

  it('goes back from the exported document to the invoice, its lines, amounts and events, as JSON', async () => {
    const [posting] = (await t.app.postings.list({}, 10)).filter((item) => item.subject.includes('invoice:'));
    const json = await run('--document', `ledger-files/${posting?.externalId}`, '--json');
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const answer = JSON.parse(json.stdout);
    expect(answer).toMatchObject({ lookup: 'document', target: 'ledger-files', document: posting?.externalId });
    const [carried] = answer.postings[0].invoices;
    const usage = carried.lines.find((item: { line: { kind: string } }) => item.line.kind === 'usage');
    expect(usage).toMatchObject({
      line: { amount: expect.stringMatching(/^\d+\.\d\d$/) },
      postingLines: [{ type: 'document_line', item: 'tokens' }],
      events: { items: [expect.objectContaining({ source: 'story/llm-gateway' })], next: null },
    });

    const tree = await run('--document', `ledger-files/${posting?.externalId}`);
    expect(tree.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        `document ${posting?.externalId} of target ledger-files`,
        expect.stringMatching(
          /carried by document line \[1\]: item tokens, "Tokens: \d+ token", quantity \d+, amount \d+\.\d\d$/,
        ),
        expect.stringMatching(/└─ story\/llm-gateway [ai]-1 \(seq \d+\) at 2026-10-0\dT\S+, value \d+$/),
      ]),
    );
  });

  it('reads an invoice line with its first page of events and says how to page on', async () => {
    const acme = (await t.app.billing.list({ customer: 'acme' }, 1))[0];
    await send(t, [completion('a-2', 'acme', '2026-10-31T22:00:00Z', 1)]);
    const shown = await run('--invoice', acme?.id as string, '--line', '2', '--limit', '1');
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(shown.stdout).toContain('line 2 (usage tokens) "Tokens: 12000 token": quantity 12000, amount 22.00 USD');
    expect(shown.stdout).toMatch(/events\n.*└─ story\/llm-gateway a-1 \(seq \d+\)/);
  });

  it('refuses a bad query before opening the store, naming each option, and says what it did not find', async () => {
    expect(await run()).toEqual({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(/^error: invalid lineage query\n {2}--event: nothing to look up/),
    });
    expect(await run('--event', 'a/b', '--invoice', 'inv_1', '--line', 'x', '--limit', '0')).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'error: invalid lineage query',
        '  --limit: must be an integer from 1 to 1000',
        '  --invoice: cannot be combined with event: give one of: event (<source>/<id>), source and id, document (<target>/<id>), or invoice and line',
        '  --line: must be a line number (a positive integer)',
      ].join('\n'),
    });
    expect(await run('--source', 'story/llm-gateway', '--id', 'nope')).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'error: no event has source "story/llm-gateway" and id "nope"',
        '  --source: no event has source "story/llm-gateway" and id "nope"',
        '  --id: no event has source "story/llm-gateway" and id "nope"',
      ].join('\n'),
    });
    expect((await run('--document', 'ledger-files/X-NOPE')).stderr).toMatch(
      /^error: target "ledger-files" has no document "X-NOPE"/,
    );
  });
});
