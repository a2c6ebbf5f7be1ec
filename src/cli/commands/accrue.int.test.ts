import { beforeEach, expect, it } from 'vitest';
import { accrualStoryCatalog } from '../../../test/fixtures/accrual-catalog.js';
import { runCommand } from '../../../test/harness/run-command.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { testConfig } from '../../../test/harness/test-app.js';
import { createApp } from '../../main.js';
import { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { accrueCommand } from './accrue.js';

describeEachStore('meterbridge accrue', (stores) => {
  let db: Database;
  const clock = new ManualClock('2026-11-01T02:00:00Z');
  const run = (...args: string[]) =>
    runCommand(accrueCommand({ openApp: (config) => createApp(config, { db, clock }) }), args);

  beforeEach(async () => {
    db = await stores.fresh();
  });

  it('refuses a malformed period, naming it, and refuses to accrue before any catalog', async () => {
    const malformed = await run('--period', '2026-13');
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/period: is required: a month, YYYY-MM/);
    const empty = await run('--period', '2026-10');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/no catalog has been applied/);
  });

  it('audits the accrual and the billing run before it as --by', async () => {
    const app = await createApp(testConfig(), { db, clock });
    await app.catalog.apply(accrualStoryCatalog('unbilled: "1250"'), 'catalog.yaml', 'test');
    const accrued = await run('--period', '2026-10', '--by', 'alice@finance');
    expect(accrued.code).toBe(0);
    // No usage yet: the two customers' platform fees (49.00 each) are what the month has earned.
    expect(accrued.stdout).toMatch(/^2026-10: accrued 2 draft documents\nUS USD 98 to ledger-files: A-/);
    const actors = await db.query<{ actor: string; action: string }>(
      `select actor, action from audit_log where action like 'billing%' or action like 'accru%'`,
    );
    expect(actors.rows.length).toBeGreaterThan(0);
    expect(new Set(actors.rows.map((row) => row.actor))).toEqual(new Set(['alice@finance']));
  });
});
