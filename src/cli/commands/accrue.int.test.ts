import { beforeEach, expect, it } from 'vitest';
import { runCommand } from '../../../test/harness/run-command.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { createApp } from '../../main.js';
import type { Database } from '../../platform/database/database.js';
import { accrueCommand } from './accrue.js';

describeEachStore('meterbridge accrue', (stores) => {
  let db: Database;
  const run = (...args: string[]) =>
    runCommand(accrueCommand({ openApp: (config) => createApp(config, { db }) }), args);

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
});
