import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { setUpBinTests } from './bin-support.js';
import { ROOT, runBin } from './run-bin.js';

// The program as a whole; each command's own end-to-end tests are in bin-<command>.int.test.ts.
setUpBinTests();

// Independent short-lived processes: run side by side; assertions use the test's own `expect`.
describe.concurrent('meterbridge bin without a store', () => {
  it('--help lists the serve, migrate, keys and ingest commands', async ({ expect }) => {
    const result = await runBin(['--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    for (const command of ['serve', 'migrate', 'keys', 'ingest'])
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('--version prints the package version', async ({ expect }) => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await runBin(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('an unknown command exits non-zero and names it', async ({ expect }) => {
    const result = await runBin(['srve']);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: unknown command 'srve'/);
  });
});
