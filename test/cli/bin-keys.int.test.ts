import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { setUpBinTests } from './bin-support.js';
import { runBin, work } from './run-bin.js';

setUpBinTests();

// Independent short-lived processes: run side by side; assertions use the test's own `expect`.
describe.concurrent('meterbridge bin without a store', () => {
  it('keys create --role bogus exits non-zero naming the allowed roles, before opening the store', async ({
    expect,
  }) => {
    const dataDir = join(work, 'never-created-by-keys');
    const result = await runBin(['keys', 'create', '--role', 'bogus', '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/'bogus' is invalid/);
    expect(result.stderr).toMatch(/ingest, read, finance, admin/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('keys create without --role fails, before opening the store', async ({ expect }) => {
    const dataDir = join(work, 'never-created-by-keys-without-role');
    const result = await runBin(['keys', 'create', '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/required option '--role <role>' not specified/);
    expect(existsSync(dataDir)).toBe(false);
  });
});
