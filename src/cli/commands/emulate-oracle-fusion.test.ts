import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../test/harness/run-command.js';
import type { OracleFusionEmulator } from '../../emulators/oracle-fusion/index.js';
import { oracleFusionCommand } from './emulate-oracle-fusion.js';
import { emulateCommand } from './emulate.js';

// The command runs in this process; instead of waiting for a signal it hands the running emulator to the
// test, which drives it over HTTP, and then the command closes it as a signal would.

async function run(args: string[], drive: (emulator: OracleFusionEmulator) => Promise<void> = async () => undefined) {
  let driven: OracleFusionEmulator | undefined;
  const result = await runCommand(
    oracleFusionCommand(async (emulator) => {
      driven = emulator;
      await drive(emulator);
    }),
    ['--port', '0', ...args],
  );
  return { ...result, emulator: driven };
}

describe('meterbridge emulate oracle-fusion', () => {
  it('is a subcommand of emulate', () => {
    expect(emulateCommand().commands.map((command) => command.name())).toContain('oracle-fusion');
  });

  it('listens on 127.0.0.1, prints the URL, the user and the ledger, serves the REST resources, and stops', async () => {
    const { code, stdout, emulator } = await run(
      ['--concurrency', '7', '--job-ms', '50', '--seed', '3'],
      async (running) => {
        const { username, password } = running.credentials;
        const answer = await fetch(`${running.url}/fscmRestApi/resources/11.13.18.05/journalBatches`, {
          headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
        });
        expect(answer.status).toBe(200);
        expect(running.settings()).toMatchObject({ concurrency: 7, jobMs: 50 });
      },
    );
    expect(code).toBe(0);
    expect(emulator?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout).toContain(`Oracle Fusion emulator listening on ${emulator?.url}`);
    expect(stdout).toContain('user meterbridge.integration, password emulator-password');
    expect(stdout).toContain('ledger 300000046975971 (US Primary Ledger, USD)');
    expect(stdout).toContain('import jobs run 50 ms; concurrency 7');
    expect(stdout).toContain('Oracle Fusion emulator stopped');
    await expect(fetch(`${emulator?.url}/__emulator/stats`)).rejects.toThrow();
  });

  it('takes fault flags', async () => {
    await run(
      ['--rate', '2', '--latency-ms', '5', '--slow-ms', '6', '--error-rate', '0.5', '--drop-after-commit', '0.25'],
      async (running) => {
        expect(running.settings()).toMatchObject({
          ratePerSecond: 2,
          latencyMs: 5,
          slowMs: 6,
          errorRate: 0.5,
          dropAfterCommitRate: 0.25,
        });
      },
    );
  });

  it('reads a YAML config file with ledgers, sources, credentials and faults', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-emulate-oracle-'));
    const config = join(dir, 'oracle.yaml');
    writeFileSync(
      config,
      [
        'ledgers:',
        '  - id: "300000000000001"',
        '    name: EU Ledger',
        '    currency: EUR',
        '    dataAccessSets: ["300000000000002"]',
        '    combinations: ["01.800000.000", "01.140000.000"]',
        'sources: [Meterbridge]',
        'credentials: { username: ops, password: secret-ish }',
        'faults: { concurrency: 15, jobMs: 10 }',
      ].join('\n'),
    );
    const { code, stdout } = await run(['--config', config, '--concurrency', '16'], async (running) => {
      expect(running.ledgers[0]).toMatchObject({ id: '300000000000001', currency: 'EUR', currencies: ['EUR'] });
      expect(running.settings()).toMatchObject({ concurrency: 16, jobMs: 10 });
      expect(running.credentials.username).toBe('ops');
    });
    expect(code).toBe(0);
    expect(stdout).toContain('ledger 300000000000001 (EU Ledger, EUR)');
  });

  it('refuses bad flags and config files, naming every problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-emulate-oracle-'));
    const config = join(dir, 'oracle.json');
    writeFileSync(config, JSON.stringify({ ledgers: [{ id: 'x', combinations: ['1.2', '1'] }], extra: true }));
    const file = await run(['--config', config]);
    expect(file.code).toBe(1);
    expect(file.stderr).toMatch(/extra is not a section/);
    expect(file.stderr).toMatch(/ledgers\[0\].id must be a ledger id/);
    expect(file.stderr).toMatch(/combinations must all have the same number of segments/);
    const flags = await run(['--error-rate', '3', '--job-ms', 'soon']);
    expect(flags.code).toBe(1);
    expect(flags.stderr).toMatch(/--job-ms must be a number/);
  });
});
