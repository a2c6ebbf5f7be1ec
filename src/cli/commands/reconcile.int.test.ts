import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand, type CommandRun } from '../../../test/harness/run-command.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import type { TestApp } from '../../../test/harness/test-app.js';
import { exportedOctober } from '../../../test/scenarios/story-targets.js';
import { createApp } from '../../main.js';
import { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { reconcileCommand } from './reconcile.js';

describeEachStore('meterbridge reconcile', (stores) => {
  const clock = new ManualClock('2026-10-20T09:00:00Z');
  let db: Database;
  let t: TestApp;
  let directory: string;
  let close: () => Promise<void> = async () => {};
  const run = (...args: string[]): Promise<CommandRun> =>
    runCommand(reconcileCommand({ openApp: (config) => createApp(config, { db, clock }) }), args);

  // Given: Acme's and Initech's October invoiced and exported to files, one document each.
  beforeAll(async () => {
    ({ db, t, directory, close } = await exportedOctober(stores, clock));
  });
  afterAll(() => close());

  it('prints a clean period with its totals at every stage, and exits 0', async () => {
    const shown = await run('--period', '2026-10');
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    const [head, totals] = shown.stdout.split('\n');
    expect(head).toMatch(/^2026-10: clean — rec_\S+$/);
    expect(totals).toBe(
      '  US USD: usage 2/2 records invoiced; 2 documents, invoiced 145.86; ledger-files posted 145.86, held 145.86',
    );
  });

  it('exits 1 when the export lost its documents, listing each with what to do, and as CSV', async () => {
    await rm(join(directory, 'US'), { recursive: true, force: true });
    const shown = await run('--period', '2026-10', '--entity', 'US');
    expect(shown.code).toBe(1);
    expect(shown.stdout).toMatch(/^2026-10 US: 2 mismatches/);
    expect(shown.stdout).toMatch(
      /#1 posting_missing_in_target: posting \d+ \(invoice I-\S+\) was delivered to ledger-files/,
    );
    expect(shown.stdout).toMatch(/→ repairable: put back in line/);
    const csv = await run('--period', '2026-10', '--csv', 'mismatches');
    expect(csv.code).toBe(1);
    const [header, ...rows] = csv.stdout.trim().split('\n');
    expect(header).toBe(
      'seq,class,legalEntity,currency,customer,meter,targetKey,invoiceId,postingId,externalId,targetDocumentId,expected,actual,detail,action,repaired',
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^1,posting_missing_in_target,US,,,,ledger-files,/);
  });

  it('repairs what is safe as --by, and the next dispatch puts the documents back', async () => {
    const repaired = await run('--period', '2026-10', '--repair', '--by', 'ops@example.com', '--json');
    const report = JSON.parse(repaired.stdout);
    expect(report.summary).toMatchObject({ repaired: 2, mismatches: 2 });
    expect(report.mismatches[0].action).toMatch(/repaired at .* by ops@example\.com/);
    await t.app.dispatcher.runOnce();
    expect((await run('--period', '2026-10')).code).toBe(0);
  });

  it('refuses a malformed period and an unknown entity, naming each', async () => {
    const refused = await run('--period', '2026-13', '--entity', 'MARS');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^error: invalid reconciliation request/);
    expect(refused.stderr).toMatch(/period: is required: a month, YYYY-MM/);
    expect(refused.stderr).toMatch(/entity: no legal entity "MARS" is declared in the current catalog \(US\)/);
  });
});
