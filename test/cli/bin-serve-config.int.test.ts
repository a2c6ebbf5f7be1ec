import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { setUpBinTests, writeConfig } from './bin-support.js';
import { runBin, work } from './run-bin.js';

// serve refusing its configuration: nothing is opened, so no store is needed.
setUpBinTests();

// Independent short-lived processes: run side by side; assertions use the test's own `expect`.
describe.concurrent('meterbridge bin without a store', () => {
  it('serve reports every invalid flag and environment value together, each with its origin, and starts nothing', async ({
    expect,
  }) => {
    const dataDir = join(work, 'never-created-by-serve');
    const shortSecret = 'short-secret-value';
    const result = await runBin(['serve', '--port', '99999', '--max-event-bytes', '12', '--data-dir', dataDir], {
      env: { MB_MAX_BATCH_EVENTS: '0', MB_UNKNOWN_TYPES: 'maybe', MB_BOOTSTRAP_ADMIN_KEY: shortSecret },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      'error: invalid configuration (5 errors)',
      '  flag --port: must be an integer from 0 to 65535, got "99999"',
      '  env MB_BOOTSTRAP_ADMIN_KEY: must be at least 32 characters long',
      '  env MB_UNKNOWN_TYPES: must be one of accept, reject, got "maybe"',
      '  flag --max-event-bytes: must be an integer from 256 to 16777216, got "12"',
      '  env MB_MAX_BATCH_EVENTS: must be an integer from 1 to 1000000, got "0"',
      '',
    ]);
    // A rejected secret is not echoed back.
    expect(result.stderr).not.toContain(shortSecret);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('serve --port 99999 --unknown-types maybe with MB_MAX_BATCH_EVENTS=0 reports all three problems together with their origins', async ({
    expect,
  }) => {
    const dataDir = join(work, 'never-created-by-serve-choices');
    const result = await runBin(['serve', '--port', '99999', '--unknown-types', 'maybe', '--data-dir', dataDir], {
      env: { MB_MAX_BATCH_EVENTS: '0' },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(existsSync(dataDir)).toBe(false);
    expect(result.stderr).toMatch(/^error: invalid configuration \(3 errors\)\n/);
    expect(result.stderr).toContain('  flag --port: must be an integer from 0 to 65535, got "99999"\n');
    expect(result.stderr).toContain('  flag --unknown-types: must be one of accept, reject, got "maybe"\n');
    expect(result.stderr).toContain('  env MB_MAX_BATCH_EVENTS: must be an integer from 1 to 1000000, got "0"\n');
  });

  it('serve --config refuses a YAML file with an unknown setting or section, naming the file and each one', async ({
    expect,
  }) => {
    const dataDir = join(work, 'never-created-by-config');
    const file = writeConfig(
      'unknown-setting.yaml',
      'server:\n  port: 0\n  prot: 8080\ndatabse:\n  url: postgres://localhost/x\n',
    );
    const result = await runBin(['serve', '--config', file, '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error: invalid configuration (2 errors)\n' +
        `  file ${file}: server.prot: is not a known setting\n` +
        `  file ${file}: databse: is not a known section\n`,
    );
    expect(existsSync(dataDir)).toBe(false);
  });

  it('serve --database-url to a server that refuses connections fails with exit 1 and the reason, without hanging', async ({
    expect,
  }) => {
    const result = await runBin(['serve', '--port', '0', '--database-url', 'postgres://127.0.0.1:1/nope'], {
      timeoutMs: 15_000,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: .*ECONNREFUSED 127\.0\.0\.1:1/);
  });
});
